// Publishes the server into server-dist/. Framework-dependent: the user's .NET 10 (or later) runtime
// runs it with `dotnet allocation-lens.dll` on every OS, so no apphost is published.
// With a runtime identifier the server is ReadyToRun-compiled for that OS and architecture (crossgen2
// cross-compiles from any machine): a cold start then runs precompiled Roslyn and engine code instead
// of jitting it (measured by the cold-start benchmark, bench/). Without one it is portable IL.
// Only the CLI project gets the RID (AllocationLensRid, see AllocationLens.Cli.csproj): the libraries
// build once as IL and each platform's publish only compiles the CLI and runs crossgen2. The JIT host
// (jit-host/) is never ReadyToRun.
// Run directly (npm run build:server) it publishes for this machine's platform.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { hostPlatform } from './platform.mjs';

/** Publishes for `rid` (ReadyToRun) or, when rid is null, portable IL; replaces outDir. */
export function publishServer(rid, outDir = 'server-dist') {
  rmSync(outDir, { recursive: true, force: true }); // no stale assemblies from another build
  execFileSync('dotnet', [
    'publish', 'server/AllocationLens.Cli/AllocationLens.Cli.csproj',
    '-c', 'Release', ...(rid ? [`-p:AllocationLensRid=${rid}`] : []), '-p:UseAppHost=false',
    '-o', outDir, '--nologo', '-v', 'quiet',
  ], { stdio: 'inherit' });
  console.log(`${outDir}: published ${rid ? `for ${rid} (ReadyToRun)` : 'portable (IL, no ReadyToRun)'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) publishServer(hostPlatform().rid);
