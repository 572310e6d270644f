// The Allocations view: every allocation site of the workspace, project → file → method → site, most
// costly first (ordering and filtering live in the pure allocationsTree.ts). Fed by the server's
// allocationLens/workspaceAllocations request, whose partial results stream in document by document;
// refreshed after the load, after changes on disk and, debounced, after edits, only while the view is visible.
import * as vscode from 'vscode';
import { ProgressType, WorkDoneProgress } from 'vscode-languageclient/node';
import { ServerController } from './client';
import {
  JitFilter, ProjectNode, TreeNode, UnexplainedAllocation, UnexplainedGroupNode, ViewDocument, ViewFilter, buildTree, countsText, defaultFilter, fileName, flattenSites,
  formatBytes, hasJitVerdicts, hasMeasurements, siteDescription, summary, unexplainedDescription, unexplainedGroup,
} from './allocationsTree';

export const allocationsViewId = 'allocationLens.allocations';
const requestMethod = 'allocationLens/workspaceAllocations';

interface ScanResult {
  documents?: ViewDocument[]; files: number; filesWithSites: number; failed: number; complete: boolean; note?: string | null;
  /** After "Measure allocations": what the run allocated in the user's code where no site is reported, and what ran. */
  unexplained?: UnexplainedAllocation[]; measuredRun?: string | null;
}
interface PartialResult { documents: ViewDocument[]; }

/** How long typing must pause before the view asks again (the scan is background work on the server). */
const editDebounceMs = 1500;

export class AllocationsView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<TreeNode>;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last complete answer, by document uri. */
  private shown = new Map<string, ViewDocument>();
  /** What the scan in flight has streamed so far. */
  private incoming: Map<string, ViewDocument> | undefined;
  private roots: ProjectNode[] = [];
  private unexplained: UnexplainedGroupNode | undefined;
  private unexplainedList: UnexplainedAllocation[] = [];
  private measuredRun: string | null | undefined;
  private filter: ViewFilter = { ...defaultFilter };
  private progress: { files?: number; done?: number } = {};
  private note: string | null | undefined;
  private running: vscode.CancellationTokenSource | undefined;
  private current: Promise<void> | undefined;
  private runs = 0;
  private stale = true;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  /** Few enough sites to show every level expanded. */
  private small = true;

  constructor(private readonly server: ServerController) {
    this.view = vscode.window.createTreeView(allocationsViewId, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility(e => { if (e.visible && this.stale) void this.refresh(); }),
      vscode.workspace.onDidChangeTextDocument(e => { if (e.document.languageId === 'csharp' && e.contentChanges.length > 0) this.scheduleRefresh(); }),
      vscode.workspace.onDidCloseTextDocument(d => { if (d.languageId === 'csharp') this.scheduleRefresh(); }),
      // Files changed on disk (a checkout, a generator) change closed documents' sites too.
      server.onWorkspaceChanged(() => this.scheduleRefresh(0)),
      server.onStatus(status => {
        if (status.state === 'ready' || status.state === 'limited') this.scheduleRefresh(0);
        if (status.state === 'stopped') this.running?.cancel();
      }),
    );
    void this.updateContext();
  }

  get filterState(): Readonly<ViewFilter> { return this.filter; }

  /** Marks the view stale and asks again once edits pause (at once when the view becomes visible). */
  scheduleRefresh(delayMs = editDebounceMs): void {
    this.stale = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (!this.view.visible) return;
    this.debounce = setTimeout(() => { this.debounce = undefined; void this.refresh(); }, delayMs);
  }

  /** Asks the server for the workspace's sites; a scan still in flight is cancelled. */
  refresh(): Promise<void> {
    const client = this.server.current;
    if (!client) {
      this.stale = true;
      this.note = 'The server is not running.';
      this.render();
      return Promise.resolve();
    }
    this.running?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.running = source;
    const run = ++this.runs;
    const partialToken = `allocationLens/view/${run}/partial`;
    const workToken = `allocationLens/view/${run}/work`;
    const incoming = new Map<string, ViewDocument>();
    this.incoming = incoming;
    this.stale = false;
    this.progress = {};
    this.note = undefined;
    this.render();
    const listeners = [
      client.onProgress(new ProgressType<PartialResult>(), partialToken, value => {
        for (const document of value.documents ?? []) incoming.set(document.uri, document);
        this.renderSoon();
      }),
      client.onProgress(WorkDoneProgress.type, workToken, value => {
        const match = value.kind === 'report' && value.message ? /(\d+)\/(\d+)/.exec(value.message) : null;
        if (match) { this.progress = { done: Number(match[1]), files: Number(match[2]) }; this.renderSoon(); }
      }),
    ];
    const work = (async () => {
      try {
        const result = await vscode.window.withProgress({ location: { viewId: allocationsViewId } }, () =>
          client.sendRequest<ScanResult>(requestMethod, { workDoneToken: workToken, partialResultToken: partialToken }, source.token));
        if (run !== this.runs) return;
        for (const document of result.documents ?? []) incoming.set(document.uri, document);
        this.shown = incoming;
        this.unexplainedList = result.unexplained ?? [];
        this.measuredRun = result.measuredRun;
        this.note = result.note ?? (result.failed > 0 ? `${result.failed} file(s) could not be read (see the output).` : null);
      } catch (error) {
        if (run !== this.runs || source.token.isCancellationRequested) return;
        this.note = `Could not list allocations: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        for (const listener of listeners) listener.dispose();
        source.dispose();
        if (run === this.runs) {
          this.running = undefined;
          this.incoming = undefined;
          this.render();
        }
      }
    })();
    this.current = work;
    return work;
  }

  /** The CodeLens command: shows one method's sites, revealed and expanded. */
  async showMethod(uri: string, name: string): Promise<void> {
    this.filter = { ...this.filter, method: { uri, name } };
    await vscode.commands.executeCommand(`${allocationsViewId}.focus`);
    if (this.stale || (!this.shown.has(uri) && !this.incoming?.has(uri))) await this.refresh();
    else if (this.current) await this.current;
    this.render();
    const method = this.roots.flatMap(p => p.children).flatMap(f => f.children).find(m => m.uri === uri && m.name === name);
    if (method) await this.view.reveal(method, { select: true, focus: true, expand: 2 });
  }

  clearMethodFilter(): void { this.setFilter({ ...this.filter, method: undefined }); }

  toggleKind(kind: 'heap' | 'boxed' | 'stack'): void { this.setFilter({ ...this.filter, [kind]: !this.filter[kind] }); }

  toggleJit(jit: Exclude<JitFilter, 'all'>): void { this.setFilter({ ...this.filter, jit: this.filter.jit === jit ? 'all' : jit }); }

  /** Orders by the bytes the last measured run allocated (most first), or back by static cost. */
  toggleMeasuredOrder(): void {
    const order = this.filter.order === 'measured' ? 'cost' : 'measured';
    if (order === 'measured' && !hasMeasurements(this.documents()) && this.unexplainedList.length === 0)
      void vscode.window.showInformationMessage('Allocation Lens: nothing is measured yet. Run "Allocation Lens: Measure allocations" (or a test\'s "Measure allocations" lens) first.');
    this.setFilter({ ...this.filter, order });
  }

  /** Shows the measured order at once (after a measured run). */
  async showMeasured(): Promise<void> {
    this.filter = { ...this.filter, order: 'measured' };
    await this.refresh();
  }

  /** One picker for every filter (the view's filter button). */
  async pickFilter(): Promise<void> {
    const jitKnown = hasJitVerdicts(this.documents());
    type Item = vscode.QuickPickItem & { key: 'heap' | 'boxed' | 'stack' | 'cold' | 'verified' | 'disagrees' | 'unverified' };
    const items: Item[] = [
      { key: 'heap', label: 'heap', description: 'new objects on the GC heap', picked: this.filter.heap },
      { key: 'boxed', label: 'boxed', description: 'value types boxed onto the heap', picked: this.filter.boxed },
      { key: 'stack', label: 'stack', description: 'looks like an allocation, stays off the heap', picked: this.filter.stack },
      { key: 'cold', label: 'cold and once', description: 'only when throwing, in a catch block, or once in an initializer (listed last)', picked: this.filter.cold },
      { key: 'verified', label: 'verified by the JIT only', description: jitKnown ? '' : 'run "Verify with JIT" first', picked: this.filter.jit === 'verified' },
      { key: 'disagrees', label: 'disagreeing with the JIT only', description: jitKnown ? '' : 'run "Verify with JIT" first', picked: this.filter.jit === 'disagrees' },
      { key: 'unverified', label: 'not verified by the JIT only', description: 'objects, arrays, boxes, delegates and closures the JIT has not judged (yet)', picked: this.filter.jit === 'unverified' },
    ];
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Allocations: show' });
    if (!picked) return;
    const keys = new Set(picked.map(p => p.key));
    this.setFilter({
      ...this.filter, heap: keys.has('heap'), boxed: keys.has('boxed'), stack: keys.has('stack'), cold: keys.has('cold'),
      jit: keys.has('disagrees') ? 'disagrees' : keys.has('verified') ? 'verified' : keys.has('unverified') ? 'unverified' : 'all',
    });
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const small = this.small;
    switch (node.type) {
      case 'project': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id; item.description = countsText(node.counts); item.iconPath = new vscode.ThemeIcon('project'); item.contextValue = 'project';
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(fileName(node.path), small ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id; item.resourceUri = vscode.Uri.parse(node.uri); item.description = countsText(node.counts); item.tooltip = node.path;
        item.iconPath = vscode.ThemeIcon.File; item.contextValue = 'file';
        return item;
      }
      case 'method': {
        const item = new vscode.TreeItem(node.name, small ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id; item.description = countsText(node.counts); item.iconPath = new vscode.ThemeIcon('symbol-method'); item.contextValue = 'method';
        return item;
      }
      case 'unexplainedGroup': {
        const item = new vscode.TreeItem('Unexplained allocations', vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id; item.description = `~${formatBytes(node.bytes)} where no site is reported`;
        item.tooltip = 'Allocations the measured run made in your code where Allocation Lens reports no site: the model\'s blind spots.'
          + (this.measuredRun ? `\n\n${this.measuredRun}` : '');
        item.iconPath = new vscode.ThemeIcon('question'); item.contextValue = 'unexplainedGroup';
        return item;
      }
      case 'unexplained': {
        const u = node.allocation;
        const item = new vscode.TreeItem(u.type, vscode.TreeItemCollapsibleState.None);
        item.id = node.id; item.description = unexplainedDescription(u);
        item.tooltip = new vscode.MarkdownString().appendText(`${u.type} in ${u.method}: ~${formatBytes(u.measured.bytes)}, ${u.measured.samples} sample(s), measured where no site is reported.`);
        item.iconPath = new vscode.ThemeIcon('question', new vscode.ThemeColor('charts.yellow')); item.contextValue = 'unexplained';
        const at = { line: u.line, character: 0 };
        item.command = { command: 'allocationLens.revealSite', title: 'Go to the allocation', arguments: [u.uri, { start: at, end: at }] };
        return item;
      }
      case 'site': {
        const s = node.site;
        const item = new vscode.TreeItem(s.subject, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = siteDescription(s);
        item.tooltip = new vscode.MarkdownString().appendMarkdown(`**${s.kind}** · ${s.category}`).appendText(s.type ? ` ${s.type}` : '').appendMarkdown('\n\n').appendText(s.message);
        item.iconPath = s.jit === 'disagrees' ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : s.kind === 'heap' ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('charts.red'))
          : s.kind === 'boxed' ? new vscode.ThemeIcon('package', new vscode.ThemeColor('charts.orange'))
          : new vscode.ThemeIcon('layers', new vscode.ThemeColor('charts.green'));
        item.contextValue = 'site';
        item.command = { command: 'allocationLens.revealSite', title: 'Go to the allocation', arguments: [node.uri, s.range] };
        return item;
      }
    }
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) {
      // The blind spots lead in the measured order (they are what the model missed), and close the cost order.
      if (!this.unexplained || this.filter.method) return this.roots;
      return this.filter.order === 'measured' ? [this.unexplained, ...this.roots] : [...this.roots, this.unexplained];
    }
    return node.type === 'site' || node.type === 'unexplained' ? [] : node.children;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.type === 'project' || node.type === 'unexplainedGroup' ? undefined : node.parent;
  }

  dispose(): void {
    this.running?.cancel();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.renderTimer) clearTimeout(this.renderTimer);
    for (const d of this.disposables) d.dispose();
  }

  /** While a scan streams: the previous answer, overlaid with what has arrived. */
  private documents(): Iterable<ViewDocument> {
    if (!this.incoming) return this.shown.values();
    return new Map([...this.shown, ...this.incoming]).values();
  }

  private setFilter(filter: ViewFilter): void {
    this.filter = filter;
    this.render();
  }

  private renderSoon(): void {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => { this.renderTimer = undefined; this.render(); }, 150);
  }

  private render(): void {
    this.roots = buildTree(this.documents(), this.filter);
    this.unexplained = unexplainedGroup(this.unexplainedList);
    this.small = this.filter.method !== undefined || flattenSites(this.roots).length <= 200;
    const loading = this.incoming !== undefined;
    const text = summary(this.roots, { loading, files: this.progress.files, done: this.progress.done, note: this.note });
    const method = this.filter.method ? `Showing ${this.filter.method.name} only. ` : '';
    this.view.message = method + text || undefined;
    this.changed.fire();
    void this.updateContext();
  }

  private async updateContext(): Promise<void> {
    const set = (key: string, value: unknown) => vscode.commands.executeCommand('setContext', `allocationLens.view.${key}`, value);
    await Promise.all([
      set('heap', this.filter.heap), set('boxed', this.filter.boxed), set('stack', this.filter.stack),
      set('verifiedOnly', this.filter.jit === 'verified'), set('disagreeingOnly', this.filter.jit === 'disagrees'), set('unverifiedOnly', this.filter.jit === 'unverified'),
      set('methodFilter', this.filter.method !== undefined), set('loading', this.incoming !== undefined), set('measuredOrder', this.filter.order === 'measured'),
    ]);
  }
}

/** Opens a site's document with the allocating expression selected and in view (the view's click). */
export async function revealSite(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const target = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  const editor = await vscode.window.showTextDocument(document, { selection: target, viewColumn: vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One });
  editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
