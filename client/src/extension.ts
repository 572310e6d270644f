// Wiring only: output channel, server controller, commands, trust changes.
import * as vscode from 'vscode';
import { ServerController } from './client';
import { statusText } from './config';
import { applyFix, explainAllocation, openLocation, refreshExplainPanel } from './commands/explain';
import { verifyWithJit } from './commands/verify';
import { MeasureTarget, measureAllocations } from './commands/measure';
import { FixEdit } from './explainView';
import { AllocationsView, revealSite } from './allocationsView';

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Allocation Lens', { log: true });
  server = new ServerController(context, output);
  const status = vscode.window.createStatusBarItem('allocationLens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Allocation Lens';
  status.command = 'allocationLens.showOutput';
  const view = new AllocationsView(server);
  server.onStatus(s => { const { text, tooltip } = statusText(s); status.text = text; status.tooltip = tooltip; status.show(); });
  context.subscriptions.push(
    output,
    server,
    status,
    vscode.workspace.onDidChangeConfiguration(e => {
      if (e.affectsConfiguration('allocationLens.hints') || e.affectsConfiguration('allocationLens.inlayHints.coldSites')) server!.refreshHints();
      if (e.affectsConfiguration('allocationLens.codeLens')) server!.refreshCodeLenses();
    }),
    view,
    // The Allocations view: its title-bar buttons and filters, a site's click, and the CodeLens's click ([uri, position, member name]).
    vscode.commands.registerCommand('allocationLens.allocations.refresh', () => view.refresh()),
    vscode.commands.registerCommand('allocationLens.allocations.filter', () => view.pickFilter()),
    vscode.commands.registerCommand('allocationLens.allocations.clearMethodFilter', () => view.clearMethodFilter()),
    ...(['heap', 'boxed', 'stack'] as const).map(kind =>
      vscode.commands.registerCommand(`allocationLens.allocations.toggle${kind[0].toUpperCase()}${kind.slice(1)}`, () => view.toggleKind(kind))),
    vscode.commands.registerCommand('allocationLens.allocations.toggleVerifiedOnly', () => view.toggleJit('verified')),
    vscode.commands.registerCommand('allocationLens.allocations.toggleDisagreeingOnly', () => view.toggleJit('disagrees')),
    vscode.commands.registerCommand('allocationLens.allocations.toggleUnverifiedOnly', () => view.toggleJit('unverified')),
    vscode.commands.registerCommand('allocationLens.revealSite', revealSite),
    vscode.commands.registerCommand('allocationLens.showMethodAllocations', (uri: string, _position: unknown, name: string) => view.showMethod(uri, name)),
    vscode.commands.registerCommand('allocationLens.toggleHints', () => toggle('enabled')),
    vscode.commands.registerCommand('allocationLens.toggleStackHints', () => toggle('showStack')),
    // From the palette and the context menu without arguments; from the hover's link with [uri, position].
    // (The server's own `allocationLens.explain` is registered by the language client itself.)
    vscode.commands.registerCommand('allocationLens.explainAllocation', (uri?: string, position?: { line: number; character: number }) => explainAllocation(server!, uri, position)),
    // The file from the palette; one method from the hover's link and the Explain panel ([uri, position]).
    // A verification changes the view's JIT states (verified, disagrees): list them again after it.
    vscode.commands.registerCommand('allocationLens.verifyWithJit.file', () => verifyWithJit(server!).finally(() => view.scheduleRefresh(0))),
    vscode.commands.registerCommand('allocationLens.verifyMethodWithJit', (uri?: string, position?: { line: number; character: number }) => {
      const editor = vscode.window.activeTextEditor;
      const at = position ?? (editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined);
      return verifyWithJit(server!, uri, at).finally(() => view.scheduleRefresh(0));
    }),
    // Every test of the workspace from the palette; one test or class from its CodeLens ([{ path, filter, title }]).
    // Afterwards the view orders by what was measured, with the unexplained allocations as their own group.
    vscode.commands.registerCommand('allocationLens.measure', () => measured(measureAllocations(server!))),
    vscode.commands.registerCommand('allocationLens.measureTests', (target?: MeasureTarget) => measured(measureAllocations(server!, target))),
    vscode.commands.registerCommand('allocationLens.allocations.toggleMeasuredOrder', () => view.toggleMeasuredOrder()),
    // The Explain panel's quick-fix buttons, with [workspaceEdit] from the server's explain payload.
    vscode.commands.registerCommand('allocationLens.applyFix', (edit: FixEdit) => applyFix(server!, edit)),
    vscode.commands.registerCommand('allocationLens.openLocation', (uri: string, line: number, column: number) => openLocation(uri, line, column)),
    vscode.commands.registerCommand('allocationLens.restartServer', () => server!.restart()),
    vscode.commands.registerCommand('allocationLens.showOutput', () => output.show(true)),
    // Granting trust lets the server evaluate MSBuild projects: restart it with the new state.
    vscode.workspace.onDidGrantWorkspaceTrust(() => server!.restart()),
  );

  async function measured(run: Promise<boolean>): Promise<void> {
    if (!(await run)) return;
    await refreshExplainPanel(server!).catch(() => undefined);
    await view.showMeasured();
  }
  await server.start();
}

async function toggle(key: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('allocationLens.hints');
  await c.update(key, !c.get<boolean>(key, true), vscode.ConfigurationTarget.Global);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
