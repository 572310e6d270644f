// The platforms the extension is packaged for: the .NET runtime identifier of the server's ReadyToRun
// publish and the matching VS Code Marketplace target of the .vsix. ReadyToRun code is specific to an
// OS and architecture, so the extension is published per platform (like the C# extension), plus one
// portable package (IL only, no --target) that VS Code installs on every other platform.
import process from 'node:process';

/** Every platform VS Code ships for which NuGet has the .NET 10 runtime pack ReadyToRun compiles
 *  against; crossgen2 cross-compiles all of them from any machine. */
export const TARGETS = [
  { name: 'linux-x64', rid: 'linux-x64', vsceTarget: 'linux-x64' },
  { name: 'linux-arm64', rid: 'linux-arm64', vsceTarget: 'linux-arm64' },
  { name: 'alpine-x64', rid: 'linux-musl-x64', vsceTarget: 'alpine-x64' },
  { name: 'darwin-x64', rid: 'osx-x64', vsceTarget: 'darwin-x64' },
  { name: 'darwin-arm64', rid: 'osx-arm64', vsceTarget: 'darwin-arm64' },
  { name: 'win32-x64', rid: 'win-x64', vsceTarget: 'win32-x64' },
];

/** The portable package: framework-dependent IL without a RID; VS Code falls back to it. */
export const UNIVERSAL = { name: 'universal', rid: null, vsceTarget: null };

/** This machine's platform. */
export function hostPlatform() {
  const arch = process.arch === 'x64' ? 'x64' : process.arch === 'arm64' ? 'arm64' : null;
  if (!arch) throw new Error(`unsupported architecture ${process.arch}`);
  switch (process.platform) {
    case 'linux': {
      // musl (Alpine) has no glibc version in the process report.
      const musl = !process.report?.getReport()?.header?.glibcVersionRuntime;
      return musl
        ? { name: `alpine-${arch}`, rid: `linux-musl-${arch}`, vsceTarget: `alpine-${arch}` }
        : { name: `linux-${arch}`, rid: `linux-${arch}`, vsceTarget: `linux-${arch}` };
    }
    case 'darwin': return { name: `darwin-${arch}`, rid: `osx-${arch}`, vsceTarget: `darwin-${arch}` };
    case 'win32': return { name: `win32-${arch}`, rid: `win-${arch}`, vsceTarget: `win32-${arch}` };
    default: throw new Error(`unsupported platform ${process.platform}`);
  }
}

/** The packages to build, from ALLOCATION_LENS_PLATFORMS: unset or "all" = every target and the
 *  universal package; "host" = this machine's platform only (the fast path for tests); otherwise a
 *  comma-separated list of names ("linux-arm64,win32-x64,universal", "host" allowed among them). */
export function selectedPlatforms(spec = process.env.ALLOCATION_LENS_PLATFORMS) {
  const value = (spec ?? '').trim();
  if (value === '' || value === 'all') return [...TARGETS, UNIVERSAL];
  const known = new Map([...TARGETS, UNIVERSAL].map(t => [t.name, t]));
  const chosen = [];
  for (const name of value.split(',').map(s => s.trim()).filter(Boolean)) {
    const target = name === 'host' ? hostPlatform() : known.get(name);
    if (!target) throw new Error(`ALLOCATION_LENS_PLATFORMS: unknown platform "${name}" (known: all, host, ${[...known.keys()].join(', ')})`);
    if (!chosen.some(t => t.name === target.name)) chosen.push(target);
  }
  if (chosen.length === 0) throw new Error('ALLOCATION_LENS_PLATFORMS names no platform');
  return chosen;
}
