import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ViewDocument, ViewSite, buildTree, compareSites, countsText, defaultFilter, flattenSites, formatBytes, hasJitVerdicts, hasMeasurements, siteDescription, summary,
  unexplainedDescription, unexplainedGroup, wantsSite,
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

test('measured order: every level by the bytes the run measured, unmeasured after in cost order; cost order ignores measurements', () => {
  const mb = (bytes: number) => ({ measured: { bytes, objects: bytes / 24, samples: Math.max(1, Math.round(bytes / 100_000)) } });
  const documents = [
    doc('Cold.cs', 'App', [{ name: 'C.Setup()', sites: [site(1, 'heap', { loopDepth: 2 })] }]),
    doc('Hot.cs', 'App', [
      { name: 'H.Small()', sites: [site(1, 'heap', mb(200_000))] },
      { name: 'H.Big()', sites: [site(11, 'boxed', mb(5_000_000)), site(12, 'heap', { loopDepth: 1 })] },
    ]),
  ];
  const measured = buildTree(documents, { ...defaultFilter, order: 'measured' });
  const files = measured[0].children;
  assert.deepEqual(files.map(f => f.path), ['/w/Hot.cs', '/w/Cold.cs']);
  assert.deepEqual(files[0].children.map(m => m.name), ['H.Big()', 'H.Small()']);
  // Inside a method: the measured site first, then the rest by static cost.
  assert.deepEqual(files[0].children[0].children.map(s => s.site.range.start.line), [11, 12]);
  // By static cost, the loop-depth-2 site of Cold.cs leads, whatever was measured.
  const cost = buildTree(documents, defaultFilter);
  assert.equal(cost[0].children[0].path, '/w/Cold.cs');
  assert.equal(hasMeasurements(documents), true);
  assert.equal(hasMeasurements([doc('X.cs', 'App', [{ name: 'X.M()', sites: [site(1, 'heap')] }])]), false);
});

test('a measured site says so in its line, with the disagreement marked; a site whose method never ran says that', () => {
  assert.match(siteDescription(site(4, 'heap', { measured: { bytes: 1_234_567, objects: 50_000, samples: 12 } })), /measured ~1\.2 MB/);
  assert.match(siteDescription(site(4, 'stack', { measured: { bytes: 300_000, objects: 10_000, samples: 3 }, disagreement: 'static stack, yet measured ~300 KB' })), /⚠ measured ~300 KB/);
  assert.match(siteDescription(site(4, 'heap', { coverage: 'never-ran' })), /never ran/);
  assert.doesNotMatch(siteDescription(site(4, 'heap', { coverage: 'ran' })), /measured|never/);
});

test('the unexplained allocations form one group, most bytes first, with their total; none gives no group', () => {
  const u = (line: number, bytes: number, type: string) => ({ uri: `file:///w/P.cs`, path: '/w/P.cs', line, type, method: 'P.Next()', measured: { bytes, objects: 1, samples: 1 } });
  const group = unexplainedGroup([u(3, 100_000, 'A'), u(9, 2_400_000, 'List`1+Enumerator'), u(5, 800, 'B')])!;
  assert.deepEqual(group.children.map(c => c.allocation.line), [9, 3, 5]);
  assert.equal(group.bytes, 2_500_800);
  assert.equal(unexplainedDescription(group.children[0].allocation), '~2.4 MB · P.cs:10');
  assert.equal(group.children[0].parent, group);
  assert.equal(unexplainedGroup([]), undefined);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(340_400), '340 KB');
});
