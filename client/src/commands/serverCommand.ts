// A long server command (Verify with JIT, Measure allocations) behind a cancellable progress notification:
// the server's work-done reports become the notification's messages, and its Cancel cancels the request.
import * as vscode from 'vscode';
import { LanguageClient, WorkDoneProgress } from 'vscode-languageclient/node';

/** What the server's long commands answer: whether it worked, and the sentence to show. */
export interface CommandResult { ok: boolean; message: string; }

/** Runs `workspace/executeCommand` with progress; a cancel or a failure comes back as `{ ok: false, message }` built from `name`. */
export async function runWithProgress<T extends CommandResult>(client: LanguageClient, title: string, command: string, args: unknown[], name: string, cancelledMessage: string): Promise<T | CommandResult> {
  const token = `${command}/${Date.now()}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, cancel) => {
      const listener = client.onProgress(WorkDoneProgress.type, token, value => {
        if ((value.kind === 'begin' || value.kind === 'report') && value.message) progress.report({ message: value.message });
      });
      const source = new vscode.CancellationTokenSource();
      cancel.onCancellationRequested(() => source.cancel());
      try {
        return await client.sendRequest<T>('workspace/executeCommand', { command, arguments: args, workDoneToken: token }, source.token);
      } catch (error) {
        if (source.token.isCancellationRequested) return { ok: false, message: cancelledMessage };
        return { ok: false, message: `${name} failed: ${error instanceof Error ? error.message : String(error)}` };
      } finally {
        listener.dispose();
        source.dispose();
      }
    });
}
