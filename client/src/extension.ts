// Wiring only: output channel, server controller, commands, trust changes.
import * as vscode from 'vscode';
import { ServerController } from './client';
import { statusText } from './config';
import { applyFix, explainAllocation, openLocation } from './commands/explain';
import { verifyWithJit } from './commands/verify';
import { FixEdit } from './explainView';

let server: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Allocation Lens', { log: true });
  server = new ServerController(context, output);
  const status = vscode.window.createStatusBarItem('allocationLens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Allocation Lens';
  status.command = 'allocationLens.showOutput';
  server.onStatus(s => { const { text, tooltip } = statusText(s); status.text = text; status.tooltip = tooltip; status.show(); });
  context.subscriptions.push(
    output,
    server,
    status,
    vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('allocationLens.hints')) server!.refreshHints(); }),
    vscode.commands.registerCommand('allocationLens.toggleHints', () => toggle('enabled')),
    vscode.commands.registerCommand('allocationLens.toggleStackHints', () => toggle('showStack')),
    // From the palette and the context menu without arguments; from the hover's link with [uri, position].
    // (The server's own `allocationLens.explain` is registered by the language client itself.)
    vscode.commands.registerCommand('allocationLens.explainAllocation', (uri?: string, position?: { line: number; character: number }) => explainAllocation(server!, uri, position)),
    // The file from the palette; one method from the hover's link and the Explain panel ([uri, position]).
    vscode.commands.registerCommand('allocationLens.verifyWithJit.file', () => verifyWithJit(server!)),
    vscode.commands.registerCommand('allocationLens.verifyMethodWithJit', (uri?: string, position?: { line: number; character: number }) => {
      const editor = vscode.window.activeTextEditor;
      const at = position ?? (editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined);
      return verifyWithJit(server!, uri, at);
    }),
    // The Explain panel's quick-fix buttons, with [workspaceEdit] from the server's explain payload.
    vscode.commands.registerCommand('allocationLens.applyFix', (edit: FixEdit) => applyFix(server!, edit)),
    vscode.commands.registerCommand('allocationLens.openLocation', (uri: string, line: number, column: number) => openLocation(uri, line, column)),
    vscode.commands.registerCommand('allocationLens.restartServer', () => server!.restart()),
    vscode.commands.registerCommand('allocationLens.showOutput', () => output.show(true)),
    // Granting trust lets the server evaluate MSBuild projects: restart it with the new state.
    vscode.workspace.onDidGrantWorkspaceTrust(() => server!.restart()),
  );
  await server.start();
}

async function toggle(key: string): Promise<void> {
  const c = vscode.workspace.getConfiguration('allocationLens.hints');
  await c.update(key, !c.get<boolean>(key, true), vscode.ConfigurationTarget.Global);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
