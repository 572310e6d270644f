// "Allocation Lens: Explain allocation": asks the server for the story at the cursor and shows it.
import * as vscode from 'vscode';
import { ServerController } from '../client';
import { ExplainResult, FixEdit, renderExplainHtml } from '../explainView';

let panel: vscode.WebviewPanel | undefined;
/** The site the open panel shows, so that "Verify with JIT" can refresh it with the JIT's verdicts. */
let shown: { uri: string; position: { line: number; character: number } } | undefined;

/** Re-renders the open panel for the site it shows (after a verification changed what the server knows). */
export async function refreshExplainPanel(server: ServerController): Promise<void> {
  const client = server.current;
  if (!panel || !shown || !client) return;
  const result = await client.sendRequest<ExplainResult>('workspace/executeCommand', { command: 'allocationLens.explain', arguments: [shown.uri, shown.position] });
  const site = result.sites.find(s => s.range?.start.line === shown!.position.line && s.range?.start.character === shown!.position.character) ?? result.sites[0];
  if (panel && site) panel.webview.html = renderExplainHtml({ sites: [site], calls: result.calls }, panel.webview.cspSource);
}

export async function explainAllocation(server: ServerController, uri?: string, position?: { line: number; character: number }): Promise<void> {
  const client = server.current;
  if (!client) {
    void vscode.window.showWarningMessage('Allocation Lens: the server is not running. Run "Allocation Lens: Restart server".');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const documentUri = uri ?? editor?.document.uri.toString();
  const at = position ?? (editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined);
  if (!documentUri || !at) {
    void vscode.window.showInformationMessage('Allocation Lens: open a C# file and put the cursor on an allocation.');
    return;
  }
  let result = await client.sendRequest<ExplainResult>('workspace/executeCommand', { command: 'allocationLens.explain', arguments: [documentUri, at] });
  if (result.sites.length > 1) {
    const picked = await vscode.window.showQuickPick(
      result.sites.map(s => ({ label: `${s.kind}: ${s.subject}`, description: s.message, site: s })),
      { placeHolder: 'Several allocations on this line: which one?' });
    if (!picked) return;
    result = { sites: [picked.site], calls: result.calls };
  }
  // One panel, in one column beside the code, reused: created there without taking focus, then only
  // revealed where it already is. (Revealing it "Beside" again, as this once did, moved it one more
  // column to the right of itself and left an empty editor group behind.)
  if (!panel) {
    panel = vscode.window.createWebviewPanel('allocationLens.explain', 'Explain allocation',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableCommandUris: true });
    panel.onDidDispose(() => { panel = undefined; shown = undefined; });
  } else {
    panel.reveal(panel.viewColumn, true);
  }
  panel.webview.html = renderExplainHtml(result, panel.webview.cspSource);
  const start = result.sites[0]?.range?.start;
  shown = start ? { uri: documentUri, position: { line: start.line, character: start.character } } : undefined;
}

/** Opens a file at a 1-based line and column: the links of the explain panel's steps. */
export async function openLocation(uri: string, line: number, column: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
}

/** The Explain panel's quick-fix buttons: applies the server's WorkspaceEdit, then closes the (now stale) panel. */
export async function applyFix(server: ServerController, edit: FixEdit): Promise<void> {
  const client = server.current;
  if (!client || !edit) return;
  const workspaceEdit = await client.protocol2CodeConverter.asWorkspaceEdit(edit);
  if (!workspaceEdit || !(await vscode.workspace.applyEdit(workspaceEdit))) {
    void vscode.window.showWarningMessage('Allocation Lens: the fix could not be applied (the document may have changed since the panel was shown).');
    return;
  }
  panel?.dispose();
}
