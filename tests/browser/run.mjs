// run.mjs — runs one node test file with node's test runner, or reports a skip when something it
// needs is missing: exit 77, which ctest reads as "skipped" (SKIP_RETURN_CODE), so a machine
// without Chromium or without `npm ci` in tests/browser never reads as a pass.
//
//   node run.mjs FILE [--chromium] [--pkg NAME]...
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { findChromium } from './lib.mjs';

const require = createRequire(import.meta.url);
const SKIP = 77;

const args = process.argv.slice(2);
const file = args.shift();
const missing = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--chromium') {
    if (!findChromium()) missing.push('Chromium (Debian package `chromium`, or CHROMIUM=path)');
  } else if (args[i] === '--pkg') {
    const name = args[++i];
    try {
      require.resolve(name);
    } catch {
      missing.push(`npm package ${name} (run \`npm ci\` in tests/browser)`);
    }
  } else {
    console.error(`run.mjs: unknown argument ${args[i]}`);
    process.exit(2);
  }
}
if (missing.length) {
  console.log(`SKIP ${file}: missing ${missing.join(', ')}`);
  process.exit(SKIP);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { stdio: 'inherit' });
process.exit(r.status ?? 1);
