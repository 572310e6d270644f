// Starts and stops the language server process and owns the LanguageClient.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { missingDotnetMessage, resolveDotnet, serverDllPath } from './config';

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.LogOutputChannel) {}

  get current(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  async start(): Promise<void> {
    const setting = vscode.workspace.getConfiguration('allocationLens').get<string>('dotnetPath');
    const dotnet = resolveDotnet(setting, { platform: process.platform, env: process.env, exists: f => fs.existsSync(f) });
    if (!dotnet) {
      const choice = await vscode.window.showErrorMessage(missingDotnetMessage(setting), 'Open Settings');
      if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'allocationLens.dotnetPath');
      return;
    }
    const dll = serverDllPath(this.context.extensionPath);
    if (!fs.existsSync(dll)) {
      void vscode.window.showErrorMessage(`Allocation Lens: the server is missing from the extension (${dll}). Reinstall the extension.`);
      return;
    }
    const serverOptions: ServerOptions = {
      run: { command: dotnet, args: [dll, 'lsp'], transport: TransportKind.stdio },
      debug: { command: dotnet, args: [dll, 'lsp'], transport: TransportKind.stdio },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'csharp' }],
      outputChannel: this.output,
      initializationOptions: { trusted: vscode.workspace.isTrusted },
      middleware: {
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
    void this.stop();
  }
}
