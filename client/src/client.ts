// Starts and stops the language server process and owns the LanguageClient.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from 'vscode-languageclient/node';
import { ColdHintDecorations } from './coldHints';
import { ColdSites, HintSettings, ServerStatus, coldSitesSetting, isColdHint, missingDotnetMessage, resolveDotnet, serverDllPath, serverEnvironment, wantsHint } from './config';

export function hintSettings(): HintSettings {
  const c = vscode.workspace.getConfiguration('allocationLens.hints');
  return { enabled: c.get('enabled', true), showHeap: c.get('showHeap', true), showBoxed: c.get('showBoxed', true), showStack: c.get('showStack', true) };
}

/** allocationLens.inlayHints.coldSites: show, dim (the default) or hide the hints of cold sites. */
export function coldSites(): ColdSites {
  return coldSitesSetting(vscode.workspace.getConfiguration('allocationLens.inlayHints').get('coldSites', 'dim'));
}

function labelOf(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map(p => p.value).join('');
}

/** allocationLens.inlayHints.callSummaries: hints after calls whose source callees allocate (off by default). */
export function callSummaryHints(): boolean {
  return vscode.workspace.getConfiguration('allocationLens.inlayHints').get('callSummaries', false);
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;

  private readonly statusEmitter = new vscode.EventEmitter<ServerStatus>();
  /** Load state changes: from the server's allocationLens/status notifications, and stops. */
  readonly onStatus = this.statusEmitter.event;

  /** Cold sites' hints drawn dimmed (allocationLens.inlayHints.coldSites = dim). */
  private readonly dimmed = new ColdHintDecorations();
  private readonly workspaceChangedEmitter = new vscode.EventEmitter<void>();
  /** Files changed on disk reached the server's projects (allocationLens/workspaceChanged). */
  readonly onWorkspaceChanged = this.workspaceChangedEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.LogOutputChannel) {}

  /** Asks VS Code to request hints again, after a settings change. */
  refreshHints(): void {
    this.dimmed.clear();
    const feature = this.current?.getFeature('textDocument/inlayHint');
    for (const editor of vscode.window.visibleTextEditors) feature?.getProvider(editor.document)?.onDidChangeInlayHints.fire();
  }

  /** Asks VS Code to request code lenses again (allocationLens.codeLens.enabled changed). */
  refreshCodeLenses(): void {
    const feature = this.current?.getFeature('textDocument/codeLens');
    for (const editor of vscode.window.visibleTextEditors) feature?.getProvider(editor.document)?.onDidChangeCodeLensEmitter.fire();
  }

  get current(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  async start(): Promise<void> {
    const setting = vscode.workspace.getConfiguration('allocationLens').get<string>('dotnetPath');
    const dotnet = resolveDotnet(setting, { platform: process.platform, env: process.env, exists: f => fs.existsSync(f) });
    if (!dotnet) {
      this.statusEmitter.fire({ state: 'stopped', message: missingDotnetMessage(setting) });
      const choice = await vscode.window.showErrorMessage(missingDotnetMessage(setting), 'Open Settings');
      if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'allocationLens.dotnetPath');
      return;
    }
    const dll = serverDllPath(this.context.extensionPath);
    if (!fs.existsSync(dll)) {
      void vscode.window.showErrorMessage(`Allocation Lens: the server is missing from the extension (${dll}). Reinstall the extension.`);
      return;
    }
    // stdio without naming a transport: TransportKind.stdio would append `--stdio`, which `lsp`
    // (System.CommandLine) rejects as an unknown argument, and the server would exit with code 2.
    const environmentFile = path.join(path.dirname(dll), 'server-environment.json');
    const env = serverEnvironment(fs.existsSync(environmentFile) ? fs.readFileSync(environmentFile, 'utf8') : undefined, process.env);
    const serverOptions: ServerOptions = {
      run: { command: dotnet, args: [dll, 'lsp'], options: { env } },
      debug: { command: dotnet, args: [dll, 'lsp'], options: { env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'csharp' }],
      outputChannel: this.output,
      initializationOptions: {
        trusted: vscode.workspace.isTrusted, callSummaryHints: callSummaryHints(),
        runtime: vscode.workspace.getConfiguration('allocationLens').get<string>('runtime', ''),
      },
      // Sends allocationLens.* settings (workspace/didChangeConfiguration) when they change: the server
      // computes call-summary hints only while allocationLens.inlayHints.callSummaries is on, and judges
      // code no app runs for allocationLens.runtime.
      synchronize: { configurationSection: 'allocationLens' },
      middleware: {
        // The hint settings apply here, so a change needs no restart, only a refresh.
        provideInlayHints: async (document, range, token, next) => {
          const settings = hintSettings();
          if (!settings.enabled) return [];
          const hints = (await next(document, range, token))?.filter(h => wantsHint(labelOf(h), settings));
          if (!hints) return hints;
          // Cold sites (a throw, a catch block, an initializer): shown as they are, dimmed, or hidden.
          const mode = coldSites();
          if (mode === 'show') return hints;
          const cold = hints.filter(h => isColdHint(labelOf(h)));
          if (mode === 'dim') this.dimmed.update(document, range, cold);
          return hints.filter(h => !isColdHint(labelOf(h)));
        },
        // The CodeLens setting applies here too: turning it off or on takes effect without a restart.
        provideCodeLenses: async (document, token, next) =>
          vscode.workspace.getConfiguration('allocationLens.codeLens').get('enabled', true) ? next(document, token) : [],
        // Hovers link to the Explain command; only that command may run from them.
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          for (const content of hover?.contents ?? []) {
            if (content instanceof vscode.MarkdownString) content.isTrusted = { enabledCommands: ['allocationLens.explainAllocation'] };
          }
          return hover;
        },
      },
    };
    this.client = new LanguageClient('allocationLens', 'Allocation Lens', serverOptions, clientOptions);
    this.output.appendLine(`Starting ${dotnet} ${dll} lsp (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'})`);
    this.client.onDidChangeState(e => {
      if (e.newState === State.Stopped) this.statusEmitter.fire({ state: 'stopped', message: 'The server stopped. Run "Allocation Lens: Restart server".' });
    });
    // Registered before start: the server reports its state as soon as it is initialized.
    this.client.onNotification('allocationLens/status', (status: ServerStatus) => this.statusEmitter.fire(status));
    // File events reach the server through its own registration of workspace/didChangeWatchedFiles.
    this.client.onNotification('allocationLens/workspaceChanged', () => this.workspaceChangedEmitter.fire());
    this.statusEmitter.fire({ state: 'loading' });
    await this.client.start();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client && client.state !== State.Stopped) {
      try { await client.stop(5000); } catch (error) { this.output.appendLine(`stopping the server failed: ${String(error)}`); }
    }
  }

  dispose(): void {
    this.dimmed.dispose();
    void this.stop();
  }
}
