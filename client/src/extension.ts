// Wiring only: output channel, server controller, commands, trust changes.
import * as vscode from 'vscode';
import { ServerController } from './client';
import { explainAllocation, openLocation } from './commands/explain';

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Allocation Lens', { log: true });
  server = new ServerController(context, output);
  context.subscriptions.push(
    output,
    server,
    // From the palette and the context menu without arguments; from the hover's link with [uri, position].
    // (The server's own `allocationLens.explain` is registered by the language client itself.)
    vscode.commands.registerCommand('allocationLens.explainAllocation', (uri?: string, position?: { line: number; character: number }) => explainAllocation(server!, uri, position)),
    vscode.commands.registerCommand('allocationLens.openLocation', (uri: string, line: number, column: number) => openLocation(uri, line, column)),
    vscode.commands.registerCommand('allocationLens.restartServer', () => server!.restart()),
    vscode.commands.registerCommand('allocationLens.showOutput', () => output.show(true)),
    // Granting trust lets the server evaluate MSBuild projects: restart it with the new state.
    vscode.workspace.onDidGrantWorkspaceTrust(() => server!.restart()),
  );
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
