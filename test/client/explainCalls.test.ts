import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ExplainCall, renderCalls, renderExplainHtml } from '../../client/src/explainView';

const call: ExplainCall = {
  uri: 'file:///w/Calls.cs', line: 6, column: 42, callee: 'Geometry.Remember(double)',
  sentence: '`Geometry.Remember(double)` allocates on each call: 1 heap (24 B)', heap: 1, boxed: 0, bytes: 24, certain: true,
  resolution: null, notes: ['recursion: `Fib(int)` (line 3) calls back into a method already counted'],
  sites: [{ uri: 'file:///w/Shapes.cs', path: '/w/Shapes.cs', line: 19, column: 45, kind: 'heap', subject: 'new Circle(r)', bytes: 24, inside: 'Remember', inLoop: false }],
};

test('"Calls that allocate" lists each call with its sentence, its sites as links and its notes', () => {
  const html = renderCalls([call]);
  assert.match(html, /<h2>Calls that allocate<\/h2>/);
  assert.match(html, /<code>Geometry.Remember\(double\)<\/code> allocates on each call: 1 heap \(24 B\) \(line 6\)/);
  assert.match(html, /heap <code>new Circle\(r\)<\/code> \(24 B\) in <code>Remember<\/code> — <a href="command:allocationLens.openLocation\?[^"]+">Shapes.cs:19<\/a>/);
  assert.match(html, /recursion: <code>Fib\(int\)<\/code>/);
});

test('a line with calls but no site shows the calls, not the empty message', () => {
  const html = renderExplainHtml({ sites: [], calls: [call], message: undefined }, 'x');
  assert.match(html, /Calls that allocate/);
  assert.doesNotMatch(html, /No allocation-looking expression/);
  assert.equal(renderCalls([]), '');
});
