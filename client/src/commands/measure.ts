// "Allocation Lens: Measure allocations": asks the server to run the workspace's tests (or one test or
// class, from its CodeLens) under allocation sampling; hints, hovers, lenses and the view then show
// what the run allocated. The run builds and runs the user's code, so it needs a trusted workspace.
import * as vscode from 'vscode';
import { WorkDoneProgress } from 'vscode-languageclient/node';
import { ServerController } from '../client';

/** Which tests to run: a project or folder, a `dotnet test --filter` expression, and a title for the progress. */
export interface MeasureTarget { path?: string; filter?: string; title?: string; }

interface MeasureResult { ok: boolean; message: string; }

/** Runs a measurement with cancellable progress; resolves true when something was measured. */
export async function measureAllocations(server: ServerController, target?: MeasureTarget): Promise<boolean> {
  const client = server.current;
  if (!client) {
    void vscode.window.showWarningMessage('Allocation Lens: the server is not running. Run "Allocation Lens: Restart server".');
    return false;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Allocation Lens: Measure allocations builds and runs this workspace\'s tests, so it needs a trusted workspace.');
    return false;
  }
  // The run builds what is on disk: save the C# files first rather than measure stale code.
  for (const document of vscode.workspace.textDocuments) if (document.isDirty && document.languageId === 'csharp') await document.save();

  const token = `allocationLens/measure/${Date.now()}`;
  const title = `Allocation Lens: measuring ${target?.title ?? 'the tests of the workspace'}`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, cancel) => {
      const listener = client.onProgress(WorkDoneProgress.type, token, value => {
        if ((value.kind === 'begin' || value.kind === 'report') && value.message) progress.report({ message: value.message });
      });
      const source = new vscode.CancellationTokenSource();
      cancel.onCancellationRequested(() => source.cancel());
      try {
        return await client.sendRequest<MeasureResult>('workspace/executeCommand',
          { command: 'allocationLens.measureRun', arguments: target ? [target] : [], workDoneToken: token }, source.token);
      } catch (error) {
        if (source.token.isCancellationRequested) return { ok: false, message: 'Measure allocations was cancelled; every process of the run was stopped.' };
        return { ok: false, message: `Measure allocations failed: ${error instanceof Error ? error.message : String(error)}` };
      } finally {
        listener.dispose();
        source.dispose();
      }
    });
  const text = `Allocation Lens: ${result.message}`;
  if (result.ok) void vscode.window.showInformationMessage(text);
  else void vscode.window.showWarningMessage(text);
  return result.ok;
}
