/** The chart's generated files match their generators: the values schema (from the option table) and the dashboard. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../../../agent/config/options';

const root = path.resolve(__dirname, '..', '..', '..', '..');

for (const script of ['values-schema.js', 'build-dashboard.js']) {
  test(`scripts/${script} --check: the committed file is current`, () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', script), '--check'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });
}

test('the chart schema has every option under config, except the ones the chart sets itself', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'charts', 'plaintap', 'values.schema.json'), 'utf8')) as {
    properties: { config: { properties: Record<string, { properties: Record<string, unknown> }> } };
  };
  const config = schema.properties.config.properties;
  const inSchema = Object.entries(config).flatMap(([section, s]) =>
    Object.keys(s.properties).map((k) => `${section}.${k}`),
  );
  const owned = ['metrics.address', 'otlp.endpoint', 'otlp.headers', 'otlp.certificate', 'otlp.client_key'];
  owned.push('otlp.client_certificate', 'capture.record', 'replay.realtime');
  assert.deepEqual(
    inSchema.sort(),
    OPTIONS.map((o) => o.key)
      .filter((k) => !owned.includes(k))
      .sort(),
  );
});

test('the dashboard is a raw model with a stable uid, a datasource variable and instance/node variables', () => {
  const dashboard = JSON.parse(
    fs.readFileSync(path.join(root, 'charts', 'plaintap', 'dashboards', 'plaintap.json'), 'utf8'),
  ) as { uid: string; templating: { list: { name: string; type: string }[] }; panels: { id: number }[] };
  assert.equal(dashboard.uid, 'plaintap-agent');
  assert.equal('__inputs' in dashboard, false);
  const variables = dashboard.templating.list.map((v) => `${v.name}:${v.type}`);
  assert.deepEqual(variables, ['datasource:datasource', 'instance:query', 'node:query']);
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});
