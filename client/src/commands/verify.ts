// "Allocation Lens: Verify with JIT": asks the server to build the project in Release and let the JIT
// of each installed runtime judge the file (palette) or one method (hover link, Explain panel).
import * as vscode from 'vscode';
import { ServerController } from '../client';
import { refreshExplainPanel } from './explain';
import { runWithProgress } from './serverCommand';

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

  const args: unknown[] = position ? [documentUri, position] : [documentUri];
  const result: VerifyResult = await runWithProgress<VerifyResult>(client, 'Allocation Lens: Verify with JIT', 'allocationLens.verifyWithJit', args,
    'Verify with JIT', 'Verify with JIT was cancelled.');
  if (result.ok) await refreshExplainPanel(server).catch(() => undefined); // the panel's JIT section is now stale
  const text = `Allocation Lens: ${result.message}`;
  if (!result.ok) void vscode.window.showWarningMessage(text);
  else if ((result.disagreements ?? 0) > 0) void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
}
