// Bundles the extension into dist/extension.js so the .vsix carries no node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['client/src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: true,
  logLevel: 'warning',
});
