/** Every option is documented where users look: the README's configuration table and config/plaintap.yaml. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { OPTIONS } from '../../../agent/config/options';

const root = path.resolve(__dirname, '..', '..', '..', '..');

test('the README has a configuration row for every option, with its flag', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const spec of OPTIONS) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${spec.key}\` |`));
    assert.ok(row, `README.md has no row for ${spec.key}`);
    assert.ok(row.includes(`--${spec.flag}`), `README.md row for ${spec.key} does not name --${spec.flag}`);
  }
});

test('config/plaintap.yaml lists every option', () => {
  const document = YAML.parse(fs.readFileSync(path.join(root, 'config', 'plaintap.yaml'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  for (const spec of OPTIONS) {
    const [section, name] = spec.key.split('.') as [string, string];
    assert.ok(document[section] && name in document[section], `config/plaintap.yaml lacks ${spec.key}`);
  }
});
