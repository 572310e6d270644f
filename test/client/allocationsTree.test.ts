import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ViewDocument, ViewSite, buildTree, compareSites, countsText, defaultFilter, flattenSites, hasJitVerdicts, siteDescription, summary, wantsSite,
} from '../../client/src/allocationsTree';

function site(line: number, kind: string, extra: Partial<ViewSite> = {}): ViewSite {
  return {
    range: { start: { line, character: 4 }, end: { line, character: 10 } }, kind, category: 'object', type: 'P', bytes: 24,
    subject: `s${line}`, message: `m${line}`, loopDepth: 0, certain: true, jit: null, ...extra,
  };
}

function doc(name: string, project: string, methods: { name: string; sites: ViewSite[] }[]): ViewDocument {
  return {
    uri: `file:///w/${name}`, path: `/w/${name}`, project, target: 'net10.0', open: false,
    methods: methods.map((m, i) => ({ name: m.name, range: { start: { line: i * 10, character: 2 }, end: { line: i * 10, character: 6 } }, sites: m.sites })),
  };
}

test('sites order: deeper loops first, then certain before may, then larger sizes, stack last', () => {
  const sites = [
    site(1, 'heap', { bytes: 24 }),
    site(2, 'stack', { loopDepth: 3 }),
    site(3, 'heap', { loopDepth: 1 }),
    site(4, 'boxed', { loopDepth: 2 }),
    site(5, 'heap', { certain: false, bytes: 1000 }),
    site(6, 'heap', { bytes: 64 }),
    site(7, 'heap', { bytes: null }),
  ];
  assert.deepEqual([...sites].sort(compareSites).map(s => s.range.start.line), [4, 3, 6, 1, 7, 5, 2]);
});

test('the tree groups project → file → method → site, each level most costly first, with counts', () => {
  const documents = [
    doc('Quiet.cs', 'App', [{ name: 'Q.Once()', sites: [site(3, 'heap')] }]),
    doc('Hot.cs', 'App', [
      { name: 'H.Setup()', sites: [site(1, 'heap', { bytes: 32 }), site(2, 'boxed')] },
      { name: 'H.Loop()', sites: [site(11, 'heap', { loopDepth: 1 })] },
    ]),
    doc('Lib.cs', 'Lib', [{ name: 'L.Deep()', sites: [site(5, 'boxed', { loopDepth: 2 }), site(6, 'stack')] }]),
  ];
  const tree = buildTree(documents, defaultFilter);
  assert.deepEqual(tree.map(p => p.name), ['Lib', 'App']);
  const app = tree[1];
  assert.equal(countsText(app.counts), '3 heap · 1 boxed');
  assert.deepEqual(app.children.map(f => f.path), ['/w/Hot.cs', '/w/Quiet.cs']);
  assert.deepEqual(app.children[0].children.map(m => m.name), ['H.Loop()', 'H.Setup()']);
  assert.equal(countsText(app.children[0].children[1].counts), '1 heap · 1 boxed');
  // Stack sites are hidden by default: Lib counts only its box.
  assert.equal(countsText(tree[0].counts), '1 boxed');
  assert.deepEqual(flattenSites(tree).map(s => s.site.range.start.line), [5, 11, 1, 2, 3]);
  // Parents link back, for reveal.
  const first = flattenSites(tree)[0];
  assert.equal(first.parent.parent.parent.name, 'Lib');
});

test('kind filters drop sites, and groups left empty', () => {
  const documents = [doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap'), site(2, 'boxed'), site(3, 'stack')] }, { name: 'A.N()', sites: [site(12, 'stack')] }])];
  assert.deepEqual(flattenSites(buildTree(documents, { ...defaultFilter, heap: false })).map(s => s.site.kind), ['boxed']);
  const withStack = buildTree(documents, { ...defaultFilter, stack: true });
  assert.deepEqual(withStack[0].children[0].children.map(m => m.name), ['A.M()', 'A.N()']);
  assert.equal(countsText(withStack[0].counts), '1 heap · 1 boxed · 2 stack');
  assert.deepEqual(buildTree(documents, { ...defaultFilter, heap: false, boxed: false }), []);
});

test('JIT filters keep verified or disagreeing sites only', () => {
  const documents = [doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap', { jit: 'verified' }), site(2, 'heap', { jit: 'disagrees' }), site(3, 'heap')] }])];
  assert.ok(hasJitVerdicts(documents));
  assert.ok(!hasJitVerdicts([doc('B.cs', 'App', [{ name: 'B.M()', sites: [site(1, 'heap')] }])]));
  assert.deepEqual(flattenSites(buildTree(documents, { ...defaultFilter, jit: 'verified' })).map(s => s.site.range.start.line), [1]);
  assert.deepEqual(flattenSites(buildTree(documents, { ...defaultFilter, jit: 'disagrees' })).map(s => s.site.range.start.line), [2]);
  assert.equal(wantsSite(site(3, 'heap'), { ...defaultFilter, jit: 'verified' }), false);
});

test('the unverified filter keeps the sites a JIT verdict applies to that have none yet', () => {
  // Site 3 is a string (no JIT verdict applies: jit null); site 4 is an object the JIT has not judged.
  const documents = [doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap', { jit: 'verified' }), site(2, 'heap', { jit: 'disagrees' }), site(3, 'heap'), site(4, 'heap', { jit: 'unverified' })] }])];
  assert.deepEqual(flattenSites(buildTree(documents, { ...defaultFilter, jit: 'unverified' })).map(s => s.site.range.start.line), [4]);
  // Unverified sites alone are not JIT verdicts: the picker still says "run Verify with JIT first".
  assert.ok(!hasJitVerdicts([doc('B.cs', 'App', [{ name: 'B.M()', sites: [site(1, 'heap', { jit: 'unverified' })] }])]));
});

test('a method filter (from a CodeLens) keeps that method of that file only', () => {
  const documents = [
    doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap')] }, { name: 'A.N()', sites: [site(12, 'heap')] }]),
    doc('B.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap')] }]),
  ];
  const tree = buildTree(documents, { ...defaultFilter, method: { uri: 'file:///w/A.cs', name: 'A.M()' } });
  assert.deepEqual(tree[0].children.map(f => f.path), ['/w/A.cs']);
  assert.deepEqual(tree[0].children[0].children.map(m => m.name), ['A.M()']);
});

test('descriptions and summaries read as a sentence', () => {
  assert.equal(siteDescription(site(4, 'heap', { loopDepth: 2, certain: false, jit: 'disagrees' })), 'heap · 24 B · loop depth 2 · may · ⚠ JIT disagrees · line 5');
  assert.equal(siteDescription(site(0, 'boxed', { bytes: null, loopDepth: 1, jit: 'verified' })), 'boxed · in a loop · JIT ✓ · line 1');
  assert.equal(countsText({ heap: 0, boxed: 0, stack: 0 }), 'no sites');
  const tree = buildTree([doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap'), site(2, 'boxed')] }])], defaultFilter);
  assert.equal(summary(tree, { loading: false }), '1 heap · 1 boxed in 1 file');
  assert.equal(summary(tree, { loading: true, files: 10, done: 3 }), '1 heap · 1 boxed in 1 file — Computing… 3/10 files');
  assert.equal(summary([], { loading: false, note: 'Only open files are listed.' }), 'No allocation sites match the filter. — Only open files are listed.');
});

test('node ids are unique and stable across rebuilds', () => {
  const documents = [doc('A.cs', 'App', [{ name: 'A.M()', sites: [site(1, 'heap'), site(1, 'boxed', { category: 'box' })] }])];
  const ids = (t: ReturnType<typeof buildTree>) => [...t.map(p => p.id), ...t.flatMap(p => p.children.map(f => f.id)), ...flattenSites(t).map(s => s.id)];
  const a = ids(buildTree(documents, defaultFilter));
  assert.equal(new Set(a).size, a.length);
  assert.deepEqual(ids(buildTree(documents, defaultFilter)), a);
});

test('cold sites come after every normal-path site (before stack ones) and a filter hides them', () => {
  const sites = [
    site(1, 'heap', { cold: 'throw', loopDepth: 2, bytes: 1000 }),
    site(2, 'stack'),
    site(3, 'heap', { bytes: 24 }),
    site(4, 'boxed', { cold: 'static-initializer' }),
    site(5, 'heap', { certain: false }),
  ];
  // A throw in a loop still ranks below the cheapest normal-path site: it allocates only when it throws.
  assert.deepEqual([...sites].sort(compareSites).map(s => s.range.start.line), [3, 5, 1, 4, 2]);
  const documents = [doc('P.cs', 'App', [{ name: 'P.Parse()', sites }])];
  assert.deepEqual(flattenSites(buildTree(documents, defaultFilter)).map(s => s.site.range.start.line), [3, 5, 1, 4]);
  assert.deepEqual(flattenSites(buildTree(documents, { ...defaultFilter, cold: false })).map(s => s.site.range.start.line), [3, 5]);
  assert.equal(siteDescription(sites[0]), 'heap · cold · 1000 B · loop depth 2 · line 2');
  assert.equal(siteDescription(sites[3]), 'boxed · once · 24 B · line 5');
});
