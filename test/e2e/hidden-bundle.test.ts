/**
 * A TLS library bundled with its symbols hidden cannot be probed by name: plaintap must say so
 * rather than stay silent. PyPI's grpcio carries BoringSSL that way in its compiled core; a
 * python3 process that imported it maps that file, and the agent started beside it reports the
 * file as skipped, with the reason, on the ready line and in plaintap_attached_targets.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { scrapeMetrics } from '../support/agent-metrics';
import { PYTHON } from '../support/clients';
import { grpcioCore, grpcioWheelSite } from '../support/grpcio-wheel';
import { sampleValue } from '../support/http-get';
import { kernelTestSkipReason } from '../support/privileges';

const skip = kernelTestSkipReason();
const REASON = 'carries BoringSSL with its symbols hidden (no SSL_read/SSL_write to probe)';

describe('a BoringSSL bundle with hidden symbols (PyPI grpcio) is reported as skipped', { skip }, () => {
  let core: string;
  let python: ChildProcess;
  let agent: AgentProcess;

  before(async () => {
    const site = grpcioWheelSite();
    core = fs.realpathSync(grpcioCore(site));
    // Imports grpc (mapping its core), says so, then waits for stdin to close.
    python = spawn(
      PYTHON,
      ['-c', 'import grpc, sys; print("imported", grpc.__version__, flush=True); sys.stdin.read()'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, PYTHONPATH: site },
      },
    );
    let stdout = '';
    let stderr = '';
    python.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    python.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('imported')) {
      if (python.exitCode !== null || Date.now() > deadline) throw new Error(`python3 did not import grpc: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    agent = await startAgent(['--output', 'json', '--pid', String(python.pid)]);
  });

  after(async () => {
    python?.stdin?.end();
    const code = await agent?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line names the file, the library and the reason', () => {
    const skipped = /skipped=(.*) failed=/.exec(agent.readyLine)?.[1] ?? '';
    assert.ok(skipped.includes(`${core} (boringssl: ${REASON})`), `skipped=${skipped}`);
  });

  test('the log says it too, and the metric counts it', async () => {
    assert.match(agent.stderr(), /tls target skipped .*library=boringssl/);
    const text = await scrapeMetrics(agent);
    const skippedCount = sampleValue(text, 'plaintap_attached_targets', { library: 'boringssl', result: 'skipped' });
    assert.ok(
      (skippedCount ?? 0) >= 1,
      `plaintap_attached_targets{library="boringssl",result="skipped"} = ${skippedCount}`,
    );
  });
});
