// Builds allocation-lens.vsix for this machine's platform (the server inside is ReadyToRun code
// for one OS and architecture, so the Marketplace gets one package per target).
import { execFileSync } from 'node:child_process';
import { hostPlatform } from './platform.mjs';

const { vsceTarget } = hostPlatform();
execFileSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '--target', vsceTarget, '--out', 'allocation-lens.vsix'], { stdio: 'inherit' });
