/**
 * Outputs and signals that never kill the agent: a stdout closed under it (`plaintap | head -c 50`)
 * stops that output only (logged once, counted) while OTLP export goes on; SIGHUP stops cleanly
 * with the flush; a second signal while stopping exits at once with code 3 and a summary line.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { scrapeMetrics } from '../support/agent-metrics';
import { startAgent } from '../support/agent-process';
import { curl, type ClientRun } from '../support/clients';
import { freePort } from '../support/free-port';
import { sampleValue } from '../support/http-get';
import { nginxForSuite } from '../support/suite-nginx';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';

const skip = kernelTestSkipReason();

describe('signals and pipes', { skip }, () => {
  const nginx = nginxForSuite();

  test('stdout closed by its reader (EPIPE): stdout output stops, counted and logged once; export goes on', async () => {
    const receiver = await startOtlpReceiver();
    const agent = await startAgent(['--output', 'json', ...commFlags('curl'), ...otlpFlags(receiver.endpoint)]);
    try {
      const first = await curl(`https://127.0.0.1:${nginx.port}/hello?before-close=1`);
      await agent.waitFor(() => (agent.stdout().length >= 50 ? true : undefined), 10_000, 'some stdout');
      // What `head -c 50` does once it has its bytes: close the read end of the pipe.
      agent.child.stdout?.destroy();
      // Every request after that writes to the closed pipe; the agent must survive all of them.
      const later: ClientRun[] = [];
      for (let i = 0; i < 3; i++) later.push(await curl(`https://127.0.0.1:${nginx.port}/hello?after-close=${i}`));
      await receiver.waitFor((records) => later.every((run) => exchangesOf(records, run.pid).length >= 1));
      assert.ok(exchangesOf(receiver.records(), first.pid)[0], 'the exchange before the close was exported too');
      await agent.waitFor(
        () => (/warn stdout is closed/.test(agent.stderr()) ? true : undefined),
        10_000,
        'the stdout-closed warning',
      );
      const text = await scrapeMetrics(agent);
      const closedDrops =
        sampleValue(text, 'plaintap_export_dropped_total', { exporter: 'stdout', reason: 'output_closed' }) ?? 0;
      assert.ok(closedDrops >= 1, `records after the close are counted as dropped:\n${text}`);
      assert.equal(agent.stderr().match(/stdout is closed/g)?.length, 1, 'logged once');
      assert.equal(agent.child.exitCode, null, 'still running');
      assert.equal(await agent.stop('SIGTERM'), 0, agent.stderr());
      assert.match(agent.stderr(), /info stopped .*stdout_dropped=[1-9]/);
      assert.doesNotMatch(agent.stderr(), /unexpected failure|EPIPE.*\n\s+at /);
    } finally {
      await agent.stop();
      await receiver.stop();
    }
  });

  test('SIGHUP: a clean stop that flushes and drains OTLP, exit 0', async () => {
    const receiver = await startOtlpReceiver();
    // A long batch delay: the record is surely still queued when the signal comes.
    const agent = await startAgent(['--output', 'none', ...commFlags('curl'), ...otlpFlags(receiver.endpoint, '30s')]);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?hup=1`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await agent.stop('SIGHUP'), 0, agent.stderr());
      assert.ok(exchangesOf(receiver.records(), run.pid)[0], `delivered before exit; stderr:\n${agent.stderr()}`);
      assert.match(agent.stderr(), /info stopping signal=SIGHUP/);
      assert.match(agent.stderr(), /info stopped .*otlp_exported=[1-9]\d* otlp_failed=0 otlp_dropped=0/);
    } finally {
      await agent.stop();
      await receiver.stop();
    }
  });

  test('a second SIGTERM while the flush waits on an absent collector: exit 3 at once, with a summary', async () => {
    // Nothing listens on this port: the queued record cannot leave, and the shutdown would wait 60 s.
    const deadPort = await freePort();
    const agent = await startAgent([
      '--output',
      'json',
      ...commFlags('curl'),
      '--otlp-endpoint',
      `http://127.0.0.1:${deadPort}`,
      '--otlp-shutdown-timeout',
      '60s',
    ]);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?forced=1`);
      await agent.waitFor(() => agent.records().find((r) => r['pid'] === run.pid), 10_000, 'the exchange on stdout');
      agent.child.kill('SIGTERM');
      await agent.waitFor(() => (/info stopping/.test(agent.stderr()) ? true : undefined), 10_000, 'stopping');
      assert.equal(await agent.stop('SIGTERM'), 3, agent.stderr());
      assert.match(agent.stderr(), /warn stopped by a second SIGTERM before the flush finished .*exit_code=3/);
    } finally {
      await agent.stop();
    }
  });
});
