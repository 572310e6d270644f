// The platform this machine builds for: the .NET runtime identifier of the server's ReadyToRun
// publish and the matching VS Code Marketplace target of the .vsix. ReadyToRun code is specific to
// an OS and architecture, so the extension is published per platform (like the C# extension).
import process from 'node:process';

export function hostPlatform() {
  const arch = process.arch === 'x64' ? 'x64' : process.arch === 'arm64' ? 'arm64' : null;
  if (!arch) throw new Error(`unsupported architecture ${process.arch}`);
  switch (process.platform) {
    case 'linux': {
      // musl (Alpine) has no glibc version in the process report.
      const musl = !process.report?.getReport()?.header?.glibcVersionRuntime;
      return musl ? { rid: `linux-musl-${arch}`, vsceTarget: `alpine-${arch}` } : { rid: `linux-${arch}`, vsceTarget: `linux-${arch}` };
    }
    case 'darwin': return { rid: `osx-${arch}`, vsceTarget: `darwin-${arch}` };
    case 'win32': return { rid: `win-${arch}`, vsceTarget: `win32-${arch}` };
    default: throw new Error(`unsupported platform ${process.platform}`);
  }
}
