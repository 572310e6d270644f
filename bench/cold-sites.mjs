// Cold sites on a real library: how many of its heap and boxed sites are cold by construction (and why),
// and how many hints per 100 lines an editor shows before and after, shown and dimmed.
//
//   node bench/cold-sites.mjs AFTER.json SOURCE_ROOT [BEFORE.json] [TARGET]
//
// AFTER.json is `allocation-lens analyze PROJECT --format json` of this branch; BEFORE.json (optional) the
// same of the commit before cold sites existed, to count the remedies that did not fit. Only one target's
// sites count (an editor shows one target's hints): TARGET, else net8.0 when present, else the first.
// Lines are every line of the .cs files that have sites or sit under SOURCE_ROOT (obj/ and bin/ left out).
import * as fs from 'node:fs';
import * as path from 'node:path';

const [afterPath, root, beforePath, wanted] = process.argv.slice(2);
if (!afterPath || !root) {
  console.error('usage: node bench/cold-sites.mjs AFTER.json SOURCE_ROOT [BEFORE.json] [TARGET]');
  process.exit(2);
}

function read(file) { return JSON.parse(fs.readFileSync(file, 'utf8')); }
function pickTarget(sites) {
  const targets = [...new Set(sites.map(s => s.target))];
  return wanted ?? (targets.includes('net8.0') ? 'net8.0' : targets[0]);
}

const after = read(afterPath);
const target = pickTarget(after.sites);
const sites = after.sites.filter(s => s.target === target);

let lines = 0;
const walk = dir => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'obj' || entry.name === 'bin') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.cs')) lines += fs.readFileSync(full, 'utf8').split('\n').length;
  }
};
walk(root);

const costly = sites.filter(s => s.kind !== 'stack');
const cold = costly.filter(s => s.cold);
const byReason = {};
for (const s of cold) byReason[s.cold.reason] = (byReason[s.cold.reason] ?? 0) + 1;
const per100 = n => (100 * n / lines).toFixed(2);
const pct = (n, d) => `${(100 * n / Math.max(d, 1)).toFixed(1)}%`;

// The densest file: the wall of hints a user sees when they open it.
const byFile = new Map();
for (const s of sites) {
  const f = byFile.get(s.path) ?? { all: 0, cold: 0 };
  f.all++;
  if (s.cold) f.cold++;
  byFile.set(s.path, f);
}
const [densest, counts] = [...byFile.entries()].sort((a, b) => b[1].all - a[1].all)[0] ?? ['', { all: 0, cold: 0 }];

console.log(`target ${target}; ${lines} lines; ${sites.length} sites (${costly.length} heap or boxed, ${sites.length - costly.length} stack)`);
console.log(`cold: ${cold.length} of ${costly.length} heap or boxed sites = ${pct(cold.length, costly.length)}`);
for (const [reason, n] of Object.entries(byReason).sort((a, b) => b[1] - a[1])) console.log(`  ${reason}: ${n} (${pct(n, costly.length)})`);
console.log(`hints per 100 lines: before ${per100(sites.length)} (all at full contrast); after: ${per100(sites.length - cold.length)} full contrast + ${per100(cold.length)} dimmed (default), ${per100(sites.length - cold.length)} with coldSites=hide`);
console.log(`densest file ${densest}: ${counts.all} hints before; after ${counts.all - counts.cold} full contrast + ${counts.cold} dimmed`);

if (beforePath) {
  const before = read(beforePath).sites.filter(s => s.target === target);
  const key = s => `${s.path}:${s.line}:${s.column}:${s.endLine}:${s.endColumn}`;
  const afterByKey = new Map(sites.map(s => [key(s), s]));
  let struct = 0, structException = 0, pooledStatic = 0, pooledEscaping = 0, hoistThrown = 0, changed = 0, same = 0, missing = 0;
  for (const b of before) {
    const a = afterByKey.get(key(b));
    if (!a) { missing++; continue; }
    if (a.kind !== b.kind) changed++; else same++;
    const hasStruct = b.remedies.some(r => r.includes('make the type a struct'));
    if (hasStruct && !a.remedies.some(r => r.includes('make the type a struct'))) {
      struct++;
      if (/Exception\b/.test(b.type)) structException++;
    }
    const pool = r => r.includes('stackalloc') || r.includes('ArrayPool');
    if (b.remedies.some(pool) && !a.remedies.some(pool)) {
      if (a.cold && ['static-initializer', 'static-constructor', 'module-initializer'].includes(a.cold.reason)) pooledStatic++;
      else pooledEscaping++;
    }
    if (b.remedies.some(r => r.startsWith('Hoist')) && !a.remedies.some(r => r.startsWith('Hoist'))) hoistThrown++;
  }
  console.log(`before vs after (${before.length} sites before, ${sites.length} after; same kind ${same}, kind changed ${changed}, not matched ${missing})`);
  console.log(`remedies withdrawn: "make the type a struct" ${struct} (of which exceptions ${structException}); stackalloc/ArrayPool ${pooledStatic + pooledEscaping} (static or module initializers ${pooledStatic}, escaping, field-initialized or multi-dimensional arrays ${pooledEscaping}); "hoist out of the loop" ${hoistThrown}`);
  const bare = sites.filter(s => s.kind !== 'stack' && s.remedies.length === 0).length;
  console.log(`heap or boxed sites after with no remedy that fits: ${bare} (${pct(bare, costly.length)})`);
}
