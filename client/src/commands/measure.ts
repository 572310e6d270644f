// "Allocation Lens: Measure allocations": asks the server to run the workspace's tests (or one test or
// class, from its CodeLens) under allocation sampling; hints, hovers, lenses and the view then show
// what the run allocated. The run builds and runs the user's code, so it needs a trusted workspace.
import * as vscode from 'vscode';
import { ServerController } from '../client';
import { runWithProgress } from './serverCommand';

/** Which tests to run: a project or folder, a `dotnet test --filter` expression, and a title for the progress. */
export interface MeasureTarget { path?: string; filter?: string; title?: string; }

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

  const title = `Allocation Lens: measuring ${target?.title ?? 'the tests of the workspace'}`;
  const result = await runWithProgress(client, title, 'allocationLens.measureRun', target ? [target] : [],
    'Measure allocations', 'Measure allocations was cancelled; every process of the run was stopped.');
  const text = `Allocation Lens: ${result.message}`;
  if (result.ok) void vscode.window.showInformationMessage(text);
  else void vscode.window.showWarningMessage(text);
  return result.ok;
}
