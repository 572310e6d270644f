import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { missingDotnetMessage, resolveDotnet, serverDllPath } from '../../client/src/config';

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
