// Pure rendering of the server's explain payload into the panel's HTML (no `vscode` import).
import { formatBytes } from './allocationsTree';

export interface ExplainStep { uri: string; path: string; line: number; column: number; text: string; }
/** The site on another runtime: `inPlay` when that runtime runs this code in the workspace (then `reason` says why). */
export interface OtherRuntime { runtime: string; kind: string; inPlay: boolean; reason?: string | null; }
/** "Verify with JIT" facts for a site: one verdict per runtime, and whether the static verdict disagrees. */
export interface JitFacts { line?: string | null; verdicts: { runtime: string; kind: string }[]; disagrees: boolean; notes: string[]; }
/** "Measure allocations" facts for a site: the run's estimates (absent where it took no sample), coverage, the tests that allocated most, the disagreement. */
export interface MeasuredFacts {
  coverage: string; bytes?: number | null; objects?: number | null; samples?: number | null; tests?: number | null;
  topTests?: { test: string; bytes: number }[] | null; disagreement?: string | null; run?: string | null;
}
/** An LSP WorkspaceEdit as the server sends it: `changes` keyed by document uri. */
export interface FixEdit { changes: { [uri: string]: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[] }; }
/** A quick fix the server offers for the site; the panel shows it as a button that applies the edit. */
export interface ExplainFix { id: string; title: string; edit: FixEdit; }
export interface ExplainSite {
  uri: string;
  kind: string;
  category: string;
  type: string;
  bytes?: number;
  subject: string;
  message: string;
  loopDepth: number;
  certain: boolean;
  runtime: string;
  source: string;
  why: ExplainStep[];
  remedies: string[];
  otherRuntimes: OtherRuntime[];
  range?: { start: { line: number; character: number } };
  jit?: JitFacts | null;
  measured?: MeasuredFacts | null;
  fixes?: ExplainFix[];
  /** Set on a site that is cold by construction: the reason, the hint's word (`cold`, `once`) and the sentence. */
  cold?: { reason: string; label: string; message: string } | null;
}
/** One call whose source callees allocate ("Calls that allocate"): the server's call summary. */
export interface ExplainCallSite { uri: string; path: string; line: number; column: number; kind: string; subject: string; bytes?: number | null; inside: string; inLoop: boolean; }
export interface ExplainCall {
  uri: string; line: number; column: number; callee: string; sentence: string; heap: number; boxed: number; bytes: number;
  certain: boolean; resolution?: string | null; notes: string[]; sites: ExplainCallSite[];
}
export interface ExplainResult { sites: ExplainSite[]; message?: string; calls?: ExplainCall[]; }

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Inline code (`x`) becomes <code>; everything else is escaped. */
export function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function fileName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** The escape flow drawn as boxes and arrows, from the allocation to the sink (inline SVG, no external service). */
export function flowSvg(site: ExplainSite): string {
  // Plain text in the picture: the backticks that mark code in sentences would show literally.
  const nodes = [site.subject, ...site.why.map(s => s.text)].map(t => t.replace(/`/g, ''));
  const boxHeight = 34, gap = 22, maxChars = 80;
  const labels = nodes.map(label => label.length > maxChars ? label.slice(0, maxChars - 1) + '…' : label);
  // Wide enough for the longest label (12px text is about 7px per character), no wider; the viewBox then
  // scales the picture down to a narrow panel (max-width) instead of cutting the boxes off.
  const width = Math.max(240, Math.max(...labels.map(l => l.length)) * 7 + 28);
  const height = nodes.length * (boxHeight + gap);
  const parts: string[] = [];
  labels.forEach((short, i) => {
    const y = i * (boxHeight + gap);
    const last = i === labels.length - 1;
    parts.push(`<rect x="1" y="${y + 1}" width="${width - 2}" height="${boxHeight}" rx="6" class="${i === 0 ? 'node start' : last ? 'node sink' : 'node'}"/>`);
    parts.push(`<text x="12" y="${y + 22}">${escapeHtml(short)}</text>`);
    if (!last) parts.push(`<line x1="40" y1="${y + boxHeight + 1}" x2="40" y2="${y + boxHeight + gap}" class="edge" marker-end="url(#arrow)"/>`);
  });
  return `<svg role="img" aria-label="escape flow" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" style="max-width: 100%; height: auto">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>` +
    parts.join('') + '</svg>';
}

export function renderSite(site: ExplainSite): string {
  const size = site.bytes !== undefined && site.bytes !== null ? `, ${site.bytes} bytes` : '';
  const steps = site.why.map(step => {
    const args = encodeURIComponent(JSON.stringify([step.uri, step.line, step.column]));
    return `<li>${inlineCode(step.text)} — <a href="command:allocationLens.openLocation?${args}">${escapeHtml(fileName(step.path))}:${step.line}</a></li>`;
  }).join('');
  const remedies = site.remedies.map(r => `<li>${inlineCode(r)}</li>`).join('');
  const inPlay = site.otherRuntimes.filter(r => r.inPlay).map(r =>
    `<li>${escapeHtml(r.kind)} on ${escapeHtml(r.runtime)}${r.reason ? ` (${inlineCode(r.reason)})` : ''}</li>`).join('');
  const others = site.otherRuntimes.filter(r => !r.inPlay).map(r => `<span class="target">${escapeHtml(r.kind)} on ${escapeHtml(r.runtime)}</span>`).join(' · ');
  return `<section class="site kind-${escapeHtml(site.kind)}">
<h2><span class="badge">${escapeHtml(site.kind)}</span> <code>${escapeHtml(site.subject)}</code></h2>
<p class="what">${escapeHtml(site.category)} <code>${escapeHtml(site.type)}</code>${size}${site.loopDepth > 0 ? ` · inside ${site.loopDepth} loop(s)` : ''}</p>
<p class="message">${inlineCode(site.message)}</p>
${site.cold ? `<p class="cold"><span class="badge">${escapeHtml(site.cold.label)}</span> ${inlineCode(site.cold.message)}.</p>` : ''}
<h3>Why</h3>
<ol class="why">${steps}</ol>
<div class="flow">${flowSvg(site)}</div>
<h3>Runtime</h3>
<p>Judged for ${inlineCode(site.runtime)} (${escapeHtml(site.source)}).${site.certain ? '' : ' This verdict rests on something that cannot be known statically.'}</p>
${inPlay.length > 0 ? `<p>Also runs on:</p><ul class="in-play">${inPlay}</ul>` : ''}
${others.length > 0 ? `<p class="others">Elsewhere: ${others}</p>` : ''}
${renderJit(site)}
${renderMeasured(site)}
${remedies.length > 0 ? `<h3>What to do</h3><ul class="remedies">${remedies}</ul>` : ''}
${renderFixes(site)}
</section>`;
}

/** One button per quick fix; each runs `allocationLens.applyFix` with the fix's WorkspaceEdit. Nothing when there is none. */
export function renderFixes(site: ExplainSite): string {
  const fixes = site.fixes ?? [];
  if (fixes.length === 0) return '';
  const buttons = fixes.map(fix =>
    `<li><a class="button fix" data-fix="${escapeHtml(fix.id)}" href="command:allocationLens.applyFix?${encodeURIComponent(JSON.stringify([fix.edit]))}">${inlineCode(fix.title)}</a></li>`).join('');
  return `<h3>Quick fixes</h3><ul class="fixes">${buttons}</ul>`;
}

/** The JIT section: the per-runtime line, a disagreement that cannot be missed, and the button to (re)verify. */
export function renderJit(site: ExplainSite): string {
  const jit = site.jit;
  const verify = site.range
    ? `<p><a class="button" href="command:allocationLens.verifyMethodWithJit?${encodeURIComponent(JSON.stringify([site.uri, site.range.start]))}">${jit ? 'Verify this method again' : 'Verify this method with the JIT'}</a></p>`
    : '';
  if (!jit) return `<h3>JIT</h3><p>Not verified yet.</p>${verify}`;
  const line = jit.line ? `<p class="jit-line"><strong>${escapeHtml(jit.line)}</strong></p>` : '';
  const disagreement = jit.disagrees
    ? `<p class="jit-disagrees">⚠ The JIT disagrees with the static verdict <code>${escapeHtml(site.kind)}</code>.</p>` : '';
  const notes = jit.notes.map(n => `<li>${escapeHtml(n)}</li>`).join('');
  return `<h3>JIT</h3>${line}${disagreement}${notes ? `<ul class="jit-notes">${notes}</ul>` : ''}${verify}`;
}

/**
 * The Measured section, after "Measure allocations": the run's estimates (sampled, so "~" and the samples),
 * the tests that allocated most, a disagreement that cannot be missed, and which run. Nothing before any run.
 */
export function renderMeasured(site: ExplainSite): string {
  const m = site.measured;
  if (!m) return '';
  const coverage: { [key: string]: string } = {
    'never-ran': 'Never ran in the measured run (its method was never called).',
    'ran': 'Its method ran; no samples here (under the sampling\'s resolution of about 100 KB, or no allocation).',
    'ran-often': 'Its method ran often; no samples here (under the sampling\'s resolution of about 100 KB, or no allocation).',
  };
  const figures = m.samples && m.bytes !== undefined && m.bytes !== null
    ? `<p class="measured"><strong>~${formatBytes(m.bytes)}, ~${Math.round(m.objects ?? 0).toLocaleString('en-US')} objects${m.tests ? ` in ${m.tests} test${m.tests === 1 ? '' : 's'}` : ''}</strong> (${m.samples} sample${m.samples === 1 ? '' : 's'}, sampled)</p>`
    : `<p class="measured">${escapeHtml(coverage[m.coverage] ?? 'Not measured.')}</p>`;
  const tests = (m.topTests ?? []).map(t => `<li><code>${escapeHtml(t.test)}</code> ~${formatBytes(t.bytes)}</li>`).join('');
  const disagreement = m.disagreement ? `<p class="measured-disagrees">⚠ The run disagrees: ${escapeHtml(m.disagreement)}.</p>` : '';
  const run = m.run ? `<p class="measured-run">${escapeHtml(m.run)}</p>` : '';
  return `<h3>Measured</h3>${figures}${tests ? `<p>Most:</p><ul class="top-tests">${tests}</ul>` : ''}${disagreement}${run}`;
}

/** "Calls that allocate": each call's summary sentence and its top sites as links. Nothing when there is none. */
export function renderCalls(calls: ExplainCall[] | undefined): string {
  if (!calls || calls.length === 0) return '';
  const items = calls.map(call => {
    const sites = call.sites.map(site => {
      const args = encodeURIComponent(JSON.stringify([site.uri, site.line, site.column]));
      const size = site.bytes !== undefined && site.bytes !== null ? ` (${site.bytes} B)` : '';
      return `<li>${escapeHtml(site.kind)} <code>${escapeHtml(site.subject)}</code>${size} in <code>${escapeHtml(site.inside)}</code>${site.inLoop ? ', in a loop' : ''} — <a href="command:allocationLens.openLocation?${args}">${escapeHtml(fileName(site.path))}:${site.line}</a></li>`;
    }).join('');
    const notes = [call.resolution, ...call.notes].filter((n): n is string => !!n).map(n => `<li class="note">${inlineCode(n)}</li>`).join('');
    return `<li class="call"><p>${inlineCode(call.sentence)} (line ${call.line})</p>${sites ? `<ol class="call-sites">${sites}</ol>` : ''}${notes ? `<ul class="call-notes">${notes}</ul>` : ''}</li>`;
  }).join('');
  return `<section class="calls"><h2>Calls that allocate</h2><ul>${items}</ul></section>`;
}

export function renderExplainHtml(result: ExplainResult, cspSource: string): string {
  const sites = result.sites.length === 0
    ? ((result.calls?.length ?? 0) > 0 ? '' : `<p class="empty">${escapeHtml(result.message ?? 'No allocation-looking expression at the cursor.')}</p>`)
    : result.sites.map(renderSite).join('\n');
  const body = sites + renderCalls(result.calls);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<title>Explain allocation</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px; }
.badge { padding: 1px 8px; border-radius: 10px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.kind-heap .badge { background: #b5452f; color: #fff; } .kind-boxed .badge { background: #a66a00; color: #fff; } .kind-stack .badge { background: #2f7d46; color: #fff; }
svg .node { fill: var(--vscode-editor-background); stroke: var(--vscode-foreground); } svg .sink { stroke: #b5452f; } svg text { fill: var(--vscode-foreground); font-size: 12px; }
svg .edge { stroke: var(--vscode-foreground); } svg marker path { fill: var(--vscode-foreground); }
</style></head>
<body><h1>Explain allocation</h1>
${body}
</body></html>`;
}
