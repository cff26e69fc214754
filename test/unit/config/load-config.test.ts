import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../../agent/config/load-config';
import { toPlaintapConfig } from '../../../agent/config/plaintap-config';
import { renderEffectiveConfig } from '../../../agent/config/render-config';
import { fileReader } from '../../support/config-files';

const files: Record<string, string> = {
  '/etc/plaintap.yaml':
    'output:\n  format: json\n  truncate: 1KiB\nprocessor:\n  idle_timeout: 2s\ncapture:\n  comms: [nginx]\n',
  '/etc/typo.yaml': 'output:\n  fromat: json\n',
  '/etc/bad.yaml': 'output: [',
};
const readFile = fileReader(files);

test('defaults', () => {
  const config = toPlaintapConfig(loadConfig({ argv: [], env: {} }).values);
  assert.equal(config.output.format, 'console');
  assert.equal(config.output.truncateBytes, 65536);
  assert.equal(config.processor.idleTimeoutMs, 1000);
  assert.equal(config.capture.ringBufferBytes, 8 * 1024 * 1024);
  assert.deepEqual(config.capture.pids, []);
});

test('precedence: flags > env > file > defaults', () => {
  const fromFile = toPlaintapConfig(loadConfig({ argv: ['--config', '/etc/plaintap.yaml'], env: {}, readFile }).values);
  assert.equal(fromFile.output.format, 'json');
  assert.equal(fromFile.output.truncateBytes, 1024);
  assert.equal(fromFile.processor.idleTimeoutMs, 2000);
  assert.deepEqual(fromFile.capture.comms, ['nginx']);

  const env = { PLAINTAP_CONFIG: '/etc/plaintap.yaml', PLAINTAP_OUTPUT: 'none', PLAINTAP_TRUNCATE: '2048' };
  const fromEnv = loadConfig({ argv: [], env, readFile });
  assert.equal(toPlaintapConfig(fromEnv.values).output.format, 'none');
  assert.equal(fromEnv.values.get('output.format')?.source, 'env');

  const fromFlag = loadConfig({ argv: ['--output', 'console', '--truncate', '10'], env, readFile });
  const config = toPlaintapConfig(fromFlag.values);
  assert.equal(config.output.format, 'console');
  assert.equal(config.output.truncateBytes, 10);
  assert.equal(config.processor.idleTimeoutMs, 2000, 'untouched keys still come from the file');
  assert.match(renderEffectiveConfig(fromFlag.values), /format: "console" {2}# flag/);
});

test('repeatable flags and comma lists', () => {
  const flags = toPlaintapConfig(
    loadConfig({ argv: ['--pid', '12', '--pid', '34', '--comm', 'curl', '--comm', 'nginx'], env: {} }).values,
  );
  assert.deepEqual(flags.capture.pids, [12, 34]);
  assert.deepEqual(flags.capture.comms, ['curl', 'nginx']);
  const env = toPlaintapConfig(loadConfig({ argv: [], env: { PLAINTAP_PIDS: '5, 6' } }).values);
  assert.deepEqual(env.capture.pids, [5, 6]);
});

test('errors name the key, the source and what is wrong', () => {
  assert.throws(
    () => loadConfig({ argv: ['--output', 'xml'], env: {} }),
    (e: Error) =>
      e instanceof ConfigError &&
      /output\.format \(from --output\): expected one of console, json, none, got "xml"/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ argv: [], env: { PLAINTAP_TRUNCATE: 'lots' } }),
    /output\.truncate \(from PLAINTAP_TRUNCATE\): expected a byte size/,
  );
  assert.throws(
    () => loadConfig({ argv: ['--pid', 'abc'], env: {} }),
    /capture\.pids \(from --pid\): expected an integer, got "abc"/,
  );
  assert.throws(
    () => loadConfig({ argv: ['--comm', 'a-very-long-command-name'], env: {} }),
    /capture\.comms .*not a kernel comm/,
  );
  assert.throws(() => loadConfig({ argv: ['--ring-buffer-size', '100000'], env: {} }), /power of two/);
  assert.throws(
    () => loadConfig({ argv: ['--bogus'], env: {} }),
    (e: Error) => e instanceof ConfigError && /Unknown option '--bogus'/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ argv: ['--config', '/etc/typo.yaml'], env: {}, readFile }),
    /unknown key output\.fromat/,
  );
  assert.throws(() => loadConfig({ argv: ['--config', '/etc/bad.yaml'], env: {}, readFile }), /not valid YAML/);
  assert.throws(
    () => loadConfig({ argv: ['--config', '/nope.yaml'], env: {}, readFile }),
    /cannot read config file \/nope\.yaml/,
  );
});

test('the shipped config/plaintap.yaml is valid and equals the defaults', () => {
  const loaded = loadConfig({ argv: ['--config', `${__dirname}/../../../../config/plaintap.yaml`], env: {} });
  const defaults = loadConfig({ argv: [], env: {} });
  assert.deepEqual(toPlaintapConfig(loaded.values), toPlaintapConfig(defaults.values));
  assert.ok([...loaded.values.values()].some((v) => v.source === 'file'));
});
