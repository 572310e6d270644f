// "Allocation Lens: Verify with JIT": asks the server to build the project in Release and let the JIT
// of each installed runtime judge the file (palette) or one method (hover link, Explain panel).
import * as vscode from 'vscode';
import { WorkDoneProgress } from 'vscode-languageclient/node';
import { ServerController } from '../client';
import { refreshExplainPanel } from './explain';

interface VerifyResult { ok: boolean; message: string; disagreements?: number; unprepared?: { method: string; reason: string; runtimes: string[] }[]; }

export async function verifyWithJit(server: ServerController, uri?: string, position?: { line: number; character: number }): Promise<void> {
  const client = server.current;
  if (!client) {
    void vscode.window.showWarningMessage('Allocation Lens: the server is not running. Run "Allocation Lens: Restart server".');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Allocation Lens: Verify with JIT builds and loads this workspace\'s code, so it needs a trusted workspace.');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const documentUri = uri ?? editor?.document.uri.toString();
  if (!documentUri) {
    void vscode.window.showInformationMessage('Allocation Lens: open a C# file to verify.');
    return;
  }
  // The JIT compiles what is on disk: save first rather than verify stale code.
  const document = vscode.workspace.textDocuments.find(d => d.uri.toString() === documentUri);
  if (document?.isDirty) await document.save();

  const token = `allocationLens/verify/${Date.now()}`;
  const args: unknown[] = position ? [documentUri, position] : [documentUri];
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Allocation Lens: Verify with JIT', cancellable: true },
    async (progress, cancel) => {
      const listener = client.onProgress(WorkDoneProgress.type, token, value => {
        if ((value.kind === 'begin' || value.kind === 'report') && value.message) progress.report({ message: value.message });
      });
      const source = new vscode.CancellationTokenSource();
      cancel.onCancellationRequested(() => source.cancel());
      try {
        return await client.sendRequest<VerifyResult>('workspace/executeCommand',
          { command: 'allocationLens.verifyWithJit', arguments: args, workDoneToken: token }, source.token);
      } catch (error) {
        if (source.token.isCancellationRequested) return { ok: false, message: 'Verify with JIT was cancelled.' };
        return { ok: false, message: `Verify with JIT failed: ${error instanceof Error ? error.message : String(error)}` };
      } finally {
        listener.dispose();
        source.dispose();
      }
    });
  if (result.ok) await refreshExplainPanel(server).catch(() => undefined); // the panel's JIT section is now stale
  const text = `Allocation Lens: ${result.message}`;
  if (!result.ok) void vscode.window.showWarningMessage(text);
  else if ((result.disagreements ?? 0) > 0) void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
}
