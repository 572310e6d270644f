import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ExplainSite, escapeHtml, flowSvg, inlineCode, renderExplainHtml, renderFixes, renderMeasured } from '../../client/src/explainView';

const site: ExplainSite = {
  uri: 'file:///w/Demo.cs', kind: 'heap', category: 'object', type: 'Demo.Point', bytes: 24, subject: 'new Point(1, 2)',
  message: 'new Point(1, 2) escapes: returned from `Make`', loopDepth: 0, certain: true, runtime: '.NET 10 (the runtime of `App`, which references this library), optimized (Release, Tier-1)', source: 'project Demo',
  why: [
    { uri: 'file:///w/Demo.cs', path: '/w/Demo.cs', line: 7, column: 13, text: 'assigned to `p` (line 7)' },
    { uri: 'file:///w/Demo.cs', path: '/w/Demo.cs', line: 9, column: 9, text: 'returned from `Make`' },
  ],
  remedies: ['Keep the object local.'],
  otherRuntimes: [
    { runtime: '.NET 8', kind: 'heap', inPlay: true, reason: 'the runtime of `Legacy`, which references this library' },
    { runtime: '.NET 9', kind: 'stack', inPlay: false },
  ],
};

test('the panel shows what, why with links, the runtime and why, other runtimes and remedies', () => {
  const html = renderExplainHtml({ sites: [site] }, 'vscode-resource:');
  assert.match(html, /<span class="badge">heap<\/span>/);
  assert.match(html, /object <code>Demo.Point<\/code>, 24 bytes/);
  assert.match(html, /assigned to <code>p<\/code> \(line 7\) — <a href="command:allocationLens.openLocation\?[^"]+">Demo.cs:7<\/a>/);
  assert.match(html, /Judged for \.NET 10 \(the runtime of <code>App<\/code>, which references this library\), optimized \(Release, Tier-1\) \(project Demo\)/);
  assert.match(html, /<li>heap on \.NET 8 \(the runtime of <code>Legacy<\/code>, which references this library\)<\/li>/);
  assert.match(html, /Elsewhere: <span class="target">stack on \.NET 9<\/span>/);
  assert.match(html, /Keep the object local/);
  assert.match(html, /<svg role="img" aria-label="escape flow"/);
});

test('the flow picture has one box per step plus the allocation, the sink last', () => {
  const svg = flowSvg(site);
  assert.equal((svg.match(/<rect /g) ?? []).length, 3);
  assert.match(svg, /class="node sink"/);
  assert.equal((svg.match(/<line /g) ?? []).length, 2);
  assert.doesNotMatch(svg, /`/);
});

test('the flow picture is as wide as its longest label and scales down to a narrow panel', () => {
  const svg = flowSvg(site);
  const width = Number(/ width="(\d+)"/.exec(svg)![1]);
  const longest = Math.max(site.subject.length, ...site.why.map(s => s.text.replace(/`/g, '').length));
  assert.equal(width, Math.max(240, longest * 7 + 28), `width for ${longest} characters`);
  assert.match(svg, /viewBox="0 0 \d+ \d+" style="max-width: 100%; height: auto"/);
  const long = flowSvg({ ...site, why: [{ ...site.why[0], text: 'x'.repeat(300) }] });
  assert.match(long, /x{79}…/);
  assert.ok(Number(/ width="(\d+)"/.exec(long)![1]) <= 80 * 7 + 28);
});

test('an empty result says so plainly', () => {
  assert.match(renderExplainHtml({ sites: [], message: 'No allocation-looking expression at the cursor or on its line.' }, 'x'), /No allocation-looking expression/);
});

test('user text is escaped', () => {
  assert.equal(escapeHtml('<script>"x"&'), '&lt;script&gt;&quot;x&quot;&amp;');
  assert.equal(inlineCode('a `List<int>` b'), 'a <code>List&lt;int&gt;</code> b');
});

test('each quick fix is a button that applies its edit; no section without fixes', () => {
  const edit = { changes: { 'file:///w/Demo.cs': [{ range: { start: { line: 3, character: 34 }, end: { line: 3, character: 44 } }, newText: 'Array.Empty<int>()' }] } };
  const withFix: ExplainSite = { ...site, fixes: [{ id: 'use-empty-array', title: 'Use `Array.Empty<int>()` (one cached empty array)', edit }] };
  const html = renderExplainHtml({ sites: [withFix] }, 'x');
  assert.match(html, /<h3>Quick fixes<\/h3>/);
  const href = /<a class="button fix" data-fix="use-empty-array" href="command:allocationLens\.applyFix\?([^"]+)">/.exec(html);
  assert.ok(href, 'a button with the applyFix command');
  assert.deepEqual(JSON.parse(decodeURIComponent(href[1])), [edit]);
  assert.match(html, /<code>Array.Empty&lt;int&gt;\(\)<\/code> \(one cached empty array\)/);
  assert.equal(renderFixes(site), '');
  assert.doesNotMatch(renderExplainHtml({ sites: [site] }, 'x'), /Quick fixes/);
});

test('a cold site says why it is cold, under its message; an ordinary one says nothing of it', () => {
  const cold: ExplainSite = { ...site, cold: { reason: 'throw', label: 'cold', message: 'built only to be thrown: it allocates only when the throw runs' } };
  assert.match(renderExplainHtml({ sites: [cold] }, 'vscode-resource:'), /<p class="cold"><span class="badge">cold<\/span> built only to be thrown: it allocates only when the throw runs\.<\/p>/);
  assert.doesNotMatch(renderExplainHtml({ sites: [site] }, 'vscode-resource:'), /class="cold"/);
});

test('after a measured run the panel has a Measured section: estimates with samples, the tests that allocated most, the disagreement, the run', () => {
  const measured = renderMeasured({ ...site, kind: 'stack', measured: {
    coverage: 'ran', bytes: 1_234_567, objects: 51_234, samples: 12, tests: 3,
    topTests: [{ test: 'Orders.Tests.Checkout', bytes: 1_000_000 }], disagreement: 'static stack, yet measured ~1.2 MB', run: 'Measured by dotnet test . -c Release (exit code 0), just now',
  } });
  assert.match(measured, /<h3>Measured<\/h3>/);
  assert.match(measured, /~1\.2 MB, ~51,234 objects in 3 tests<\/strong> \(12 samples, sampled\)/);
  assert.match(measured, /<code>Orders\.Tests\.Checkout<\/code> ~1\.0 MB/);
  assert.match(measured, /⚠ The run disagrees: static stack, yet measured ~1\.2 MB/);
  assert.match(measured, /Measured by dotnet test/);
  assert.match(renderMeasured({ ...site, measured: { coverage: 'never-ran' } }), /Never ran in the measured run/);
  assert.equal(renderMeasured(site), '');
});
