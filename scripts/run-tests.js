#!/usr/bin/env node
// Runs every compiled *.test.js under dist-test/test (tsconfig.json's output; dist/ holds only the agent) (unit first, then end-to-end) with node's test runner.
// Usage: node scripts/run-tests.js [unit|e2e ...]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'dist-test', 'test');
const suites = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'e2e'];

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(full);
      return entry.name.endsWith('.test.js') ? [full] : [];
    })
    .sort();
}

const files = suites.flatMap((suite) => testFiles(path.join(root, suite)));
if (files.length === 0) {
  console.error(`no test files found under ${root} for ${suites.join(', ')}: run npm run build:test first`);
  process.exit(1);
}
// One file at a time: end-to-end tests attach kernel probes and start servers.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
