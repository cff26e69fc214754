#!/usr/bin/env node
// Every import in agent/ points down the layers, and no modules import each other in a cycle.
// Layers, lowest first (docs/architecture.md): capture → exchange → protocols → processor →
// redaction, metrics → export → config → agent (agent.ts and its helpers) → cli. log.ts,
// version.ts and key-value-list.ts are utilities any layer may use. Type-only imports count too: a type from a higher
// layer is a dependency on it all the same.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'agent');
const RANK = {
  base: 0,
  capture: 1,
  exchange: 2,
  protocols: 3,
  processor: 4,
  redaction: 5,
  metrics: 5,
  export: 6,
  config: 7,
  agent: 8,
  cli: 9,
};
const TOP_LEVEL = { 'log.ts': 'base', 'version.ts': 'base', 'key-value-list.ts': 'base', 'cli.ts': 'cli' };

function layerOf(file) {
  const [first] = path.relative(root, file).split(path.sep);
  if (first.endsWith('.ts')) return TOP_LEVEL[first] ?? 'agent';
  if (!(first in RANK)) throw new Error(`check-layers: agent/${first}/ is in no layer: add it to RANK`);
  return first;
}

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.{1,2}\/[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), m[1]);
    const candidates = [`${target}.ts`, path.join(target, 'index.ts')];
    const resolved = candidates.find((c) => fs.existsSync(c));
    if (resolved) found.push(resolved);
  }
  return found;
}

const files = sources(root);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f) => path.relative(path.join(root, '..'), f);
const problems = [];

for (const [file, imports] of graph) {
  for (const target of imports) {
    const from = layerOf(file);
    const to = layerOf(target);
    if (RANK[to] > RANK[from] || (RANK[to] === RANK[from] && to !== from)) {
      problems.push(`${rel(file)} (${from}) imports ${rel(target)} (${to}): imports point down the layers`);
    }
  }
}

// Cycles: depth-first search, each cycle reported once.
const state = new Map();
const stack = [];
const seen = new Set();
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    if (state.get(target) === 'open') {
      const cycle = stack.slice(stack.indexOf(target)).map(rel);
      const key = [...cycle].sort().join(' ');
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(`import cycle: ${[...cycle, rel(target)].join(' → ')}`);
      }
    } else if (!state.has(target)) {
      visit(target);
    }
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
