// Dims the hints of sites that are cold by construction (allocationLens.inlayHints.coldSites = dim).
// VS Code gives inlay hints no per-hint style, so a dimmed hint is drawn as an `after` decoration at the
// hint's position instead, in the inlay hint colour at lower opacity; the hover on the expression still
// tells its whole story.
import * as vscode from 'vscode';

export class ColdHintDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorInlayHint.foreground'),
      margin: '0 0 0 0.4em',
      // The decoration API has no opacity of its own; this is the documented way to pass extra CSS.
      textDecoration: 'none; opacity: 0.45; font-size: 90%',
    },
  });
  private readonly byDocument = new Map<string, vscode.DecorationOptions[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.window.onDidChangeVisibleTextEditors(editors => { for (const editor of editors) this.apply(editor); }),
      vscode.workspace.onDidCloseTextDocument(document => this.byDocument.delete(document.uri.toString())),
    ];
  }

  /** The cold hints of one requested range replace the ones shown there before. */
  update(document: vscode.TextDocument, range: vscode.Range, cold: readonly vscode.InlayHint[]): void {
    const key = document.uri.toString();
    const kept = (this.byDocument.get(key) ?? []).filter(d => !range.contains(d.range.start));
    for (const hint of cold) {
      const label = typeof hint.label === 'string' ? hint.label : hint.label.map(p => p.value).join('');
      kept.push({ range: new vscode.Range(hint.position, hint.position), renderOptions: { after: { contentText: label } }, hoverMessage: hint.tooltip });
    }
    this.byDocument.set(key, kept);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === key) this.apply(editor);
  }

  /** Removes every dimmed hint (the setting changed, or hints were turned off). */
  clear(): void {
    this.byDocument.clear();
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.type, []);
  }

  private apply(editor: vscode.TextEditor): void {
    editor.setDecorations(this.type, this.byDocument.get(editor.document.uri.toString()) ?? []);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.type.dispose();
  }
}
