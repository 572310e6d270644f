// Builds every .vsix (`npm run package`, all platforms unless ALLOCATION_LENS_PLATFORMS says otherwise)
// and opens each one: the manifest names its target, the server, the JIT host and MSBuildWorkspace's
// BuildHost folders are inside, and the server's ReadyToRun code is for the package's OS and
// architecture (the PE machine field, which crossgen2 XORs with an OS value, and the READYTORUN header),
// while the JIT host and the universal package stay IL only. On this machine's own platform the
// packaged server is also started and must analyse a file.
// Long (one crossgen2 run per platform): run with `npm run test:packages`, not part of scripts/test.sh.
// ALLOCATION_LENS_PACKAGES_BUILT=1 checks the packages already in dist-vsix/ without rebuilding.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { hostPlatform, selectedPlatforms } from '../../scripts/platform.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const platforms = selectedPlatforms();
const host = hostPlatform();

/** The entries of a zip file, by name, each with a function reading its bytes. */
function readZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, `${file}: no zip end-of-central-directory record`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, `${file}: bad central directory entry`);
    const method = buf.readUInt16LE(at + 10), size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28), extraLength = buf.readUInt16LE(at + 30), commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, () => {
      const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(data, data + size);
      if (method === 0) return raw;
      assert.equal(method, 8, `${name}: compression method ${method}`);
      return zlib.inflateRawSync(raw);
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The PE machine field and whether the image carries ReadyToRun code (a READYTORUN_HEADER, "RTR"). */
function peInfo(buf, name) {
  const pe = buf.readUInt32LE(0x3c);
  assert.equal(buf.readUInt32LE(pe), 0x00004550, `${name}: not a PE image`);
  const machine = buf.readUInt16LE(pe + 4), sectionCount = buf.readUInt16LE(pe + 6), optionalSize = buf.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const directories = optional + (buf.readUInt16LE(optional) === 0x20b ? 112 : 96);
  const sections = [];
  for (let i = 0; i < sectionCount; i++) {
    const s = optional + optionalSize + i * 40;
    sections.push({ rva: buf.readUInt32LE(s + 12), size: Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16)), raw: buf.readUInt32LE(s + 20) });
  }
  const offset = rva => {
    const s = sections.find(x => rva >= x.rva && rva < x.rva + x.size);
    assert.ok(s, `${name}: RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.rva + s.raw;
  };
  const cliRva = buf.readUInt32LE(directories + 14 * 8);
  assert.ok(cliRva, `${name}: no CLI header (not a .NET assembly)`);
  const cli = offset(cliRva);
  const nativeHeaderRva = buf.readUInt32LE(cli + 64); // ManagedNativeHeader
  const readyToRun = nativeHeaderRva !== 0 && buf.readUInt32LE(offset(nativeHeaderRva)) === 0x00525452;
  return { machine, readyToRun };
}

/** The machine value crossgen2 writes for a RID: the architecture XOR the OS (Windows 0). */
function expectedMachine(rid) {
  const arch = { x64: 0x8664, arm64: 0xaa64 }[rid.split('-').at(-1)];
  const os = { win: 0, linux: 0x7b79, osx: 0x4644 }[rid.split('-')[0]];
  assert.ok(arch !== undefined && os !== undefined, `no expected machine for ${rid}`);
  return arch ^ os;
}
const IL_ONLY = 0x14c; // IMAGE_FILE_MACHINE_I386: AnyCPU IL

const packageFile = platform => path.join(repo, 'dist-vsix', `allocation-lens-${platform.name}.vsix`);

before(() => {
  if (process.env.ALLOCATION_LENS_PACKAGES_BUILT === '1') return;
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
});

for (const platform of platforms) {
  test(`the ${platform.name} package`, () => {
    const entries = readZip(packageFile(platform));
    const read = name => { const r = entries.get(name); assert.ok(r, `${platform.name}: ${name} is missing`); return r(); };

    const manifest = read('extension.vsixmanifest').toString('utf8');
    const identity = manifest.match(/<Identity\b[^>]*>/)?.[0];
    assert.ok(identity, 'the manifest has an Identity element');
    const target = identity.match(/TargetPlatform="([^"]+)"/)?.[1];
    assert.equal(target, platform.vsceTarget ?? undefined, `manifest target: ${identity}`);

    for (const name of ['extension/package.json', 'extension/dist/extension.js', 'extension/server-dist/allocation-lens.runtimeconfig.json', 'extension/server-dist/server-environment.json',
      'extension/server-dist/jit-host/allocation-lens-jit-host.runtimeconfig.json']) read(name);
    for (const folder of ['BuildHost-netcore', 'BuildHost-net472']) {
      assert.ok([...entries.keys()].some(n => n.startsWith(`extension/server-dist/${folder}/`) && n.endsWith('.dll')), `${folder} ships`);
    }
    // Started with `dotnet allocation-lens.dll` everywhere: no apphost, which would be one OS's binary.
    assert.ok(!entries.has('extension/server-dist/allocation-lens') && !entries.has('extension/server-dist/allocation-lens.exe'), 'no apphost');

    const want = platform.rid ? { machine: expectedMachine(platform.rid), readyToRun: true } : { machine: IL_ONLY, readyToRun: false };
    for (const dll of ['allocation-lens.dll', 'AllocationLens.Analysis.dll', 'Microsoft.CodeAnalysis.CSharp.dll']) {
      const got = peInfo(read(`extension/server-dist/${dll}`), dll);
      assert.deepEqual({ ...got, machine: `0x${got.machine.toString(16)}` }, { ...want, machine: `0x${want.machine.toString(16)}` }, `${platform.name}: ${dll}`);
    }
    const jitHost = peInfo(read('extension/server-dist/jit-host/allocation-lens-jit-host.dll'), 'allocation-lens-jit-host.dll');
    assert.deepEqual(jitHost, { machine: IL_ONLY, readyToRun: false }, 'the JIT host is IL only');
  });
}

/** Unpacks the server of a package and has it analyse a file on this machine's dotnet. */
function runPackagedServer(platform) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `al-vsix-${platform.name}-`));
  try {
    for (const [name, read] of readZip(packageFile(platform))) {
      if (!name.startsWith('extension/server-dist/') || name.endsWith('/')) continue;
      const to = path.join(dir, name.slice('extension/'.length));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.writeFileSync(to, read());
    }
    const source = path.join(dir, 'Sample.cs');
    fs.writeFileSync(source, 'class Sample { static object Make() => new object(); static int Sum() { var a = new int[4]; return a.Length; } }\n');
    const out = execFileSync('dotnet', [path.join(dir, 'server-dist', 'allocation-lens.dll'), 'analyze', source, '--format', 'json'],
      { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const verdicts = JSON.stringify(JSON.parse(out));
    assert.match(verdicts, /"kind":"heap"/, `the packaged server found the heap allocation: ${out.slice(0, 400)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const platform of platforms.filter(p => p.name === host.name || p.rid === null)) {
  test(`the ${platform.name} package's server runs here`, () => runPackagedServer(platform));
}

test('the host package is also allocation-lens.vsix (installed by the e2e suite)', { skip: !platforms.some(p => p.name === host.name) }, () => {
  assert.deepEqual(fs.readFileSync(path.join(repo, 'allocation-lens.vsix')), fs.readFileSync(packageFile(host)));
});
