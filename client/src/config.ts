// Pure configuration logic: no `vscode` import, so node --test can cover it.
import * as path from 'path';

export interface Environment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  exists(file: string): boolean;
}

/** Where the dotnet host is: the setting, then DOTNET_ROOT, then each PATH entry. Undefined when none exists. */
export function resolveDotnet(setting: string | undefined, environment: Environment): string | undefined {
  const exe = environment.platform === 'win32' ? 'dotnet.exe' : 'dotnet';
  const candidates: string[] = [];
  if (setting && setting.trim().length > 0) {
    const trimmed = setting.trim();
    candidates.push(trimmed.endsWith(exe) ? trimmed : path.join(trimmed, exe));
    if (trimmed.endsWith(exe) === false) candidates.push(trimmed);
  }
  const root = environment.env['DOTNET_ROOT'];
  if (root) candidates.push(path.join(root, exe));
  const separator = environment.platform === 'win32' ? ';' : ':';
  for (const dir of (environment.env['PATH'] ?? '').split(separator)) {
    if (dir.length > 0) candidates.push(path.join(dir, exe));
  }
  return candidates.find(c => environment.exists(c));
}

/** The published server inside the extension's folder. */
export function serverDllPath(extensionPath: string): string {
  return path.join(extensionPath, 'server-dist', 'allocation-lens.dll');
}

/** The message shown when no dotnet host can be found: what is wrong and what to do. */
export function missingDotnetMessage(setting: string | undefined): string {
  return setting && setting.trim().length > 0
    ? `Allocation Lens could not find dotnet at "${setting}" (allocationLens.dotnetPath). Fix the setting or clear it to use dotnet from PATH.`
    : 'Allocation Lens needs the .NET SDK 10 or later. Install it from https://dot.net, or set allocationLens.dotnetPath to your dotnet executable.';
}
