/**
 * Say what is wrong, once, in one line: invalid values refused at start with exit 2 (no libbpf
 * output, no retry loop), and a privilege error that names the access that is missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { asNobody, runAgentToExit } from '../support/agent-process';
import { kernelTestSkipReason } from '../support/privileges';

/** The one line on stderr (nothing else). */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.length > 0);
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  return lines[0] ?? '';
}

describe('invalid values refused at start (exit 2, one line)', () => {
  test('an OTLP endpoint that is not a URL', async () => {
    const result = await runAgentToExit(['--otlp-endpoint', 'ht!tp://x']);
    assert.equal(result.code, 2);
    assert.match(oneLine(result.stderr), /^plaintap: invalid configuration: otlp\.endpoint .*is not a URL/);
  });

  test('an --openssl-path that does not exist', async () => {
    const result = await runAgentToExit(['--openssl-path', '/nonexistent/libssl.so']);
    assert.equal(result.code, 2);
    assert.match(oneLine(result.stderr), /capture\.openssl_paths .*cannot read \/nonexistent\/libssl\.so: ENOENT/);
  });

  test('a --pid that is no running process: no libbpf output', async () => {
    const result = await runAgentToExit(['--pid', '999999999']);
    assert.equal(result.code, 2);
    assert.match(oneLine(result.stderr), /^plaintap: invalid configuration: capture\.pids: no such process: 999999999/);
  });
});

const tracefsClosed = (() => {
  try {
    return (fs.statSync('/sys/kernel/tracing').mode & 0o005) === 0;
  } catch {
    return false;
  }
})();

describe('privilege errors name what is missing', { skip: kernelTestSkipReason() }, () => {
  test(
    'CAP_BPF + CAP_PERFMON as a non-root user, tracefs mounted but closed to that user',
    { skip: tracefsClosed ? false : 'tracefs is open to other users here' },
    async () => {
      const result = await runAgentToExit([], {
        command: asNobody('--inh-caps=+bpf,+perfmon', '--ambient-caps=+bpf,+perfmon'),
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        oneLine(result.stderr),
        /plaintap cannot capture: tracefs is mounted at \/sys\/kernel\/tracing but this user may not enter it: run as root/,
      );
      assert.doesNotMatch(result.stderr, /not mounted/);
    },
  );
});
