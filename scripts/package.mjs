// Builds the .vsix packages into dist-vsix/: one per platform in scripts/platform.mjs TARGETS (the
// server inside is ReadyToRun code for that OS and architecture; the manifest names the target), and
// allocation-lens-universal.vsix (portable IL, no target) that VS Code installs everywhere else.
// ALLOCATION_LENS_PLATFORMS picks a subset ("host" = this machine only; see selectedPlatforms).
// The host platform's package is also copied to allocation-lens.vsix (the e2e suite installs it), and
// server-dist/ is left holding the host's publish (benchmarks and the demo run it).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { hostPlatform, selectedPlatforms } from './platform.mjs';
import { publishServer } from './publish-server.mjs';

const outDir = 'dist-vsix';
const host = hostPlatform();
// The host last, so server-dist/ ends up as this machine's build.
const platforms = selectedPlatforms().sort((a, b) => (a.name === host.name) - (b.name === host.name));
mkdirSync(outDir, { recursive: true });
rmSync('allocation-lens.vsix', { force: true });

const rows = [];
const started = Date.now();
for (const platform of platforms) {
  const t0 = Date.now();
  publishServer(platform.rid);
  const file = path.join(outDir, `allocation-lens-${platform.name}.vsix`);
  rmSync(file, { force: true });
  execFileSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies',
    ...(platform.vsceTarget ? ['--target', platform.vsceTarget] : []), '--out', file], { stdio: 'inherit' });
  if (platform.name === host.name) copyFileSync(file, 'allocation-lens.vsix');
  rows.push({ package: file, MB: +(statSync(file).size / 2 ** 20).toFixed(1), seconds: Math.round((Date.now() - t0) / 1000) });
}
console.table(rows);
console.log(`${rows.length} package(s) in ${Math.round((Date.now() - started) / 1000)} s`);
