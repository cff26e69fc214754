/** Values refused at start with one line naming the key (the CLI exits 2), and scalars taken as one-item lists. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { missingProcesses } from '../../../agent/config/missing-processes';
import { configFrom } from '../../support/config-files';

function load(argv: string[], files: Record<string, string> = {}) {
  return configFrom(argv, {}, files);
}

describe('refused at start', () => {
  test('an OTLP endpoint that is not a URL', () => {
    assert.throws(() => load(['--otlp-endpoint', 'ht!tp://x']), /otlp\.endpoint .*"ht!tp:\/\/x" is not a URL/);
    assert.throws(() => load(['--otlp-endpoint', 'http://ho!st:4317']), /otlp\.endpoint .*"ho!st" is not a host name/);
    assert.throws(() => load(['--otlp-endpoint', 'collector']), /is not a URL like http:\/\/collector:4317/);
    assert.equal(load(['--otlp-endpoint', 'collector:4317']).otlp?.endpoint, 'collector:4317');
    assert.equal(load(['--otlp-endpoint', 'http://[::1]:4317']).otlp?.endpoint, 'http://[::1]:4317');
  });

  test('an --openssl-path that does not exist', () => {
    assert.throws(
      () => load(['--openssl-path', '/nonexistent/libssl.so']),
      /capture\.openssl_paths \(from --openssl-path\): cannot read \/nonexistent\/libssl\.so: ENOENT/,
    );
  });

  test('a --pid that is no running process', () => {
    assert.deepEqual(missingProcesses([process.pid, 999999999]), [999999999]);
    assert.deepEqual(missingProcesses([process.pid]), []);
  });

  test('by design, a YAML scalar where a list is expected is a one-item list (like the env variable)', () => {
    const files = { '/c.yaml': `capture:\n  pids: ${process.pid}\n  comms: curl\n` };
    const c = load(['--config', '/c.yaml'], files);
    assert.deepEqual(c.capture.pids, [process.pid]);
    assert.deepEqual(c.capture.comms, ['curl']);
  });
});
