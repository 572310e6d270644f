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

/**
 * The environment the language server runs in: the editor's, plus the runtime settings the server ships
 * beside its dll (server-environment.json: why each is there), except where the user set one already.
 * A missing or unreadable file leaves the editor's environment as it is: the server runs either way.
 */
export function serverEnvironment(environmentFile: string | undefined, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (environmentFile === undefined) return env;
  let variables: unknown;
  try { variables = JSON.parse(environmentFile).variables; } catch { return env; }
  if (typeof variables !== 'object' || variables === null) return env;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string' && env[name] === undefined) env[name] = value;
  }
  return env;
}

/** The message shown when no dotnet host can be found: what is wrong and what to do. */
export function missingDotnetMessage(setting: string | undefined): string {
  return setting && setting.trim().length > 0
    ? `Allocation Lens could not find dotnet at "${setting}" (allocationLens.dotnetPath). Fix the setting or clear it to use dotnet from PATH.`
    : 'Allocation Lens needs the .NET SDK 10 or later. Install it from https://dot.net, or set allocationLens.dotnetPath to your dotnet executable.';
}

/** Which hint labels the user wants, from the allocationLens.hints.* settings. */
export interface HintSettings { enabled: boolean; showHeap: boolean; showBoxed: boolean; showStack: boolean; }

export function wantsHint(label: string, settings: HintSettings): boolean {
  if (!settings.enabled) return false;
  switch (hintKind(label)) {
    case 'heap': return settings.showHeap;
    case 'boxed': return settings.showBoxed;
    case 'stack': return settings.showStack;
    default: return true;
  }
}

/** The kind a hint label starts with: `heap` in `heap`, `heap · cold`, `heap ✓` or `⚠ stack · JIT heap`. */
export function hintKind(label: string): string {
  return label.replace(/^⚠\s*/, '').split(/[\s·]/, 1)[0];
}

/** allocationLens.inlayHints.coldSites: how hints of sites that are cold by construction show. */
export type ColdSites = 'show' | 'dim' | 'hide';

export function coldSitesSetting(value: unknown): ColdSites {
  return value === 'show' || value === 'hide' ? value : 'dim';
}

/** Whether a hint label is a cold site's (`heap · cold`, `boxed · once`, with or without a JIT mark). */
export function isColdHint(label: string): boolean {
  return /·\s(cold|once)\b/.test(label);
}

/** The server's load state, as the status bar shows it. */
export interface ServerStatus { state: 'loading' | 'ready' | 'limited' | 'failed' | 'stopped'; message?: string; }

export function statusText(status: ServerStatus): { text: string; tooltip: string } {
  switch (status.state) {
    case 'loading': return { text: '$(sync~spin) Allocation Lens', tooltip: `Loading projects${status.message ? `: ${status.message}` : ''}. Hints are judged file by file until MSBuild finishes.` };
    case 'ready': return { text: '$(check) Allocation Lens', tooltip: status.message ?? 'Projects loaded.' };
    case 'limited': return { text: '$(shield) Allocation Lens: limited', tooltip: status.message ?? 'Analysis is limited: files are judged on their own against the framework.' };
    case 'failed': return { text: '$(warning) Allocation Lens', tooltip: `Projects could not be loaded: ${status.message ?? 'see the output'}. Files are judged on their own.` };
    case 'stopped': return { text: '$(circle-slash) Allocation Lens', tooltip: status.message ?? 'The server is not running.' };
  }
}
