// Publishes the server into server-dist/ for this machine's platform, ReadyToRun-compiled:
// a cold start then runs precompiled Roslyn and engine code instead of jitting it (measured by the
// cold-start benchmark, bench/). Framework-dependent: the user's .NET 10 runtime runs it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { hostPlatform } from './platform.mjs';

const { rid } = hostPlatform();
rmSync('server-dist', { recursive: true, force: true }); // no stale assemblies from another build
execFileSync('dotnet', [
  'publish', 'server/AllocationLens.Cli/AllocationLens.Cli.csproj',
  '-c', 'Release', '-r', rid, '--self-contained', 'false', '-p:PublishReadyToRun=true',
  '-o', 'server-dist', '--nologo', '-v', 'quiet',
], { stdio: 'inherit' });
console.log(`server-dist: published for ${rid} (ReadyToRun)`);
