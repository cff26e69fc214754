/**
 * Health that tells the truth: while the collector is away and records wait, /readyz turns 503
 * with the reason and plaintap_export_degraded is 1; when a collector comes back on that port, the
 * records are delivered and /readyz is 200 again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startAgent } from '../support/agent-process';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { metricsBase } from '../support/agent-metrics';
import { curl } from '../support/clients';
import { freePort } from '../support/free-port';
import { httpGet, sampleValue, type HttpAnswer } from '../support/http-get';
import { nginxForSuite } from '../support/suite-nginx';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { kernelTestSkipReason } from '../support/privileges';

const skip = kernelTestSkipReason();

/** Asks /readyz until `done` holds (bounded by the test's own timeout). */
async function untilReadyz(base: string, done: (answer: HttpAnswer) => boolean): Promise<HttpAnswer> {
  for (;;) {
    const answer = await httpGet(`${base}/readyz`);
    if (done(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('export health on /readyz', { skip }, () => {
  const nginx = nginxForSuite();

  test(
    'collector away: 503 degraded with the reason and the gauge at 1; back: delivered, 200 again',
    { timeout: 180_000 },
    async () => {
      const port = await freePort();
      const agent = await startAgent([
        '--output',
        'none',
        ...commFlags('curl'),
        ...otlpFlags(`http://127.0.0.1:${port}`),
        '--otlp-degraded-after',
        '1s',
      ]);
      const base = metricsBase(agent);
      let receiver: Awaited<ReturnType<typeof startOtlpReceiver>> | undefined;
      try {
        assert.equal((await httpGet(`${base}/readyz`)).status, 200, 'ready while nothing waits');
        const run = await curl(`https://127.0.0.1:${nginx.port}/hello?outage=1`);
        assert.equal(run.code, 0, run.stderr);
        const degraded = await untilReadyz(base, (answer) => /^degraded: collector unreachable/.test(answer.body));
        assert.match(degraded.body, /while \d+ records wait/);
        const ready = await httpGet(`${base}/readyz`);
        assert.equal(ready.status, 503);
        const text = (await httpGet(`${base}/metrics`)).body;
        assert.equal(sampleValue(text, 'plaintap_export_degraded', { exporter: 'otlp' }), 1);
        assert.match(agent.stderr(), /warn export degraded reason="collector unreachable/);

        receiver = await startOtlpReceiver({ port });
        await receiver.waitFor((records) => records.some((r) => r.attributes['process.pid'] === run.pid), 90_000);
        await untilReadyz(base, (answer) => answer.status === 200);
        const after = (await httpGet(`${base}/metrics`)).body;
        assert.equal(sampleValue(after, 'plaintap_export_degraded', { exporter: 'otlp' }), 0);
        assert.equal(await agent.stop('SIGTERM'), 0, agent.stderr());
        assert.match(agent.stderr(), /info export recovered/);
      } finally {
        await agent.stop();
        await receiver?.stop();
      }
    },
  );
});
