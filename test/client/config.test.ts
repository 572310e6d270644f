import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { missingDotnetMessage, resolveDotnet, serverDllPath, serverEnvironment } from '../../client/src/config';
import * as fs from 'fs';

const onlyExists = (...files: string[]) => (f: string) => files.includes(f);

test('the dotnetPath setting wins, as a file or a folder', () => {
  assert.equal(resolveDotnet('/opt/dn/dotnet', { platform: 'linux', env: { PATH: '/usr/bin' }, exists: onlyExists('/opt/dn/dotnet', '/usr/bin/dotnet') }), '/opt/dn/dotnet');
  assert.equal(resolveDotnet('/opt/dn', { platform: 'linux', env: {}, exists: onlyExists(path.join('/opt/dn', 'dotnet')) }), path.join('/opt/dn', 'dotnet'));
});

test('falls back to DOTNET_ROOT, then PATH', () => {
  assert.equal(resolveDotnet('', { platform: 'linux', env: { DOTNET_ROOT: '/root/.dotnet', PATH: '/usr/bin' }, exists: onlyExists('/root/.dotnet/dotnet', '/usr/bin/dotnet') }), '/root/.dotnet/dotnet');
  assert.equal(resolveDotnet(undefined, { platform: 'linux', env: { PATH: '/a:/usr/bin' }, exists: onlyExists('/usr/bin/dotnet') }), '/usr/bin/dotnet');
});

test('uses dotnet.exe and ; on Windows', () => {
  assert.equal(resolveDotnet(undefined, { platform: 'win32', env: { PATH: 'C:\\a;C:\\dotnet' }, exists: f => f.endsWith('dotnet.exe') && f.includes('dotnet') && f.startsWith('C:\\dotnet') }), path.join('C:\\dotnet', 'dotnet.exe'));
});

test('reports nothing when no dotnet exists, with an actionable message', () => {
  assert.equal(resolveDotnet('/missing', { platform: 'linux', env: { PATH: '/usr/bin' }, exists: () => false }), undefined);
  assert.match(missingDotnetMessage(''), /\.NET SDK 10/);
  assert.match(missingDotnetMessage('/missing'), /allocationLens\.dotnetPath/);
});

test('the server ships in server-dist', () => {
  assert.equal(serverDllPath('/ext'), path.join('/ext', 'server-dist', 'allocation-lens.dll'));
});

import { coldSitesSetting, hintKind, isColdHint, statusText, wantsHint } from '../../client/src/config';

test('hint settings filter labels; disabled hides everything', () => {
  const all = { enabled: true, showHeap: true, showBoxed: true, showStack: true };
  assert.equal(wantsHint('stack', all), true);
  assert.equal(wantsHint('stack', { ...all, showStack: false }), false);
  assert.equal(wantsHint('heap', { ...all, showStack: false }), true);
  assert.equal(wantsHint('boxed', { ...all, showBoxed: false }), false);
  assert.equal(wantsHint('heap', { ...all, enabled: false }), false);
});

test('the status bar says loading, ready, limited or failed with the reason', () => {
  assert.match(statusText({ state: 'loading' }).text, /sync~spin/);
  assert.match(statusText({ state: 'limited', message: 'Restricted Mode: ...' }).text, /limited/);
  assert.match(statusText({ state: 'limited', message: 'Restricted Mode: ...' }).tooltip, /Restricted Mode/);
  assert.match(statusText({ state: 'failed', message: 'SDK not found' }).tooltip, /SDK not found/);
  assert.match(statusText({ state: 'ready' }).text, /check/);
});

test('cold hints are recognised by their word, whatever marks the JIT adds, and keep their kind', () => {
  for (const label of ['heap · cold', 'heap · once', 'boxed · cold ✓', '⚠ heap · cold · JIT stack']) assert.equal(isColdHint(label), true, label);
  for (const label of ['heap', 'heap ✓', '⚠ stack · JIT heap', 'allocates 3']) assert.equal(isColdHint(label), false, label);
  assert.equal(hintKind('heap · cold'), 'heap');
  assert.equal(hintKind('⚠ stack · JIT heap'), 'stack');
  assert.equal(hintKind('boxed ✓'), 'boxed');
  const all = { enabled: true, showHeap: true, showBoxed: true, showStack: true };
  assert.equal(wantsHint('heap · cold', { ...all, showHeap: false }), false);
  assert.equal(wantsHint('boxed · once', all), true);
  assert.equal(coldSitesSetting('hide'), 'hide');
  assert.equal(coldSitesSetting('show'), 'show');
  assert.equal(coldSitesSetting(undefined), 'dim');
  assert.equal(coldSitesSetting('bright'), 'dim');
});

test('the server runs with the runtime settings shipped beside it, never over the user\'s own', () => {
  // The file the server build ships (server/AllocationLens.Cli/server-environment.json), read as the client reads it.
  const shipped = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'server', 'AllocationLens.Cli', 'server-environment.json'), 'utf8');
  const env = serverEnvironment(shipped, { PATH: '/usr/bin', DOTNET_GCgen0size: '0x1000000' });
  assert.equal(env.DOTNET_EnableWriteXorExecute, '0');
  assert.equal(env.DOTNET_GCgen0size, '0x1000000', 'a variable the user set is kept');
  assert.equal(env.PATH, '/usr/bin');
  // A missing or broken file leaves the editor's environment unchanged.
  assert.deepEqual(serverEnvironment(undefined, { PATH: '/bin' }), { PATH: '/bin' });
  assert.deepEqual(serverEnvironment('{ not json', { PATH: '/bin' }), { PATH: '/bin' });
  assert.deepEqual(serverEnvironment('{"variables": {"X": 1}}', {}), {}, 'only string values');
});
