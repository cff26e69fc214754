#!/usr/bin/env node
// Runs the benchmarks under dist-test/test/bench (all, or those whose name contains an argument).
// Figures are printed, never asserted. Needs root for the kernel benchmarks.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'dist-test', 'test', 'bench');
const wanted = process.argv.slice(2);
const all = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.bench.js'))
      .sort()
  : [];
const chosen = all.filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));
if (chosen.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(' ') || '(any)'}; have: ${all.join(', ') || 'none (run npm run build)'}`,
  );
  process.exit(1);
}
const floor = spawnSync('make', ['-s', '-C', path.join(__dirname, '..', 'test', 'bench', 'floor')], {
  stdio: 'inherit',
});
if (floor.status !== 0) process.exit(floor.status ?? 1);
let failed = 0;
for (const file of chosen) {
  console.log(`\n=== ${file.replace(/\.bench\.js$/, '')} ===`);
  const result = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
