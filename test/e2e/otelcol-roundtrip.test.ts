/**
 * plaintap → the real OpenTelemetry Collector (built by scripts/build-otelcol.sh) → the test
 * receiver, all on 127.0.0.1. First the exporter alone (no kernel needed), then the real agent:
 * two agents capture the same curl request, one exporting straight to a receiver, the other
 * through the Collector to another; the records that arrive are the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Direction } from '../../agent/capture/captured-event';
import { createOtlpLogExporter } from '../../agent/export/otlp/otlp-log-exporter';
import { formatRfc3339Nanos } from '../../agent/export/text/rfc3339';
import { commFlags } from '../support/agent-flags';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { facts } from '../support/captured-events';
import { curl } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startCollector, type Collector } from '../support/otelcol';
import { jsonExchangesOf } from '../support/json-records';
import { startOtlpReceiver, type DecodedLogRecord, type OtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';

describe('plaintap → OpenTelemetry Collector → receiver', () => {
  it('carries a record through the real Collector with event name, attributes and resource', async () => {
    const receiver = await startOtlpReceiver();
    const collector = await startCollector(receiver.port);
    try {
      const exporter = createOtlpLogExporter({ endpoint: collector.endpoint, env: {}, scheduledDelayMillis: 20 });
      exporter.emit({
        kind: 'raw',
        connection: facts({ pid: 4242, tid: 4243, uid: 0, sockId: 1n }),
        direction: Direction.Egress,
        timestampNs: 1_764_000_000_123_456_789n,
        payload: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'),
        length: 18,
        truncated: false,
      });
      const [record] = await receiver.waitFor((all) => all.length >= 1, 15_000);
      await exporter.shutdown();
      assert.ok(record);
      assert.equal(record.eventName, 'plaintap.raw.message', 'event_name survives the Collector');
      assert.equal(record.timeUnixNano, 1_764_000_000_123_456_789n);
      assert.equal(record.body, 'GET / HTTP/1.1\r\n\r\n');
      assert.equal(record.attributes['process.pid'], 4242);
      assert.equal(record.attributes['network.peer.port'], 443);
      assert.equal(record.resource['service.name'], 'plaintap');
      assert.equal(record.scope.name, 'plaintap');
    } catch (error) {
      process.stderr.write(`collector stderr:\n${collector.stderr()}\n`);
      throw error;
    } finally {
      await collector.stop();
      await receiver.stop();
    }
  });
});

const skip = kernelTestSkipReason();

/**
 * What a record says, but its times: each agent's probes read the kernel clock themselves (two
 * programs on one hook run one after the other) and convert it with an offset of their own, so
 * the time and the duration differ by microseconds; the observed time is when it was exported,
 * and the received time when each receiver got it.
 */
function comparable(record: DecodedLogRecord): object {
  const { observedTimeUnixNano: _observed, timeUnixNano: _time, receivedUnixNano: _received, ...rest } = record;
  const { 'plaintap.duration': duration, ...attributes } = rest.attributes;
  assert.equal(typeof duration, 'number');
  return { ...rest, attributes };
}

describe('the real agent through the real Collector', { skip }, () => {
  let nginx: NginxServer;
  let direct: OtlpReceiver;
  let viaCollector: OtlpReceiver;
  let collector: Collector;
  let agents: AgentProcess[] = [];

  before(async () => {
    nginx = await startNginx(makeCertificate());
    direct = await startOtlpReceiver();
    viaCollector = await startOtlpReceiver();
    collector = await startCollector(viaCollector.port);
    const args = [
      '--output',
      'none',
      ...commFlags('curl'),
      '--otlp-scheduled-delay',
      '100ms',
      '--http-request-header',
      'traceparent',
    ];
    agents = [
      await startAgent([...args, '--otlp-endpoint', direct.endpoint]),
      // JSON on stdout too: its time field is the exact record time to compare with.
      await startAgent([...args, '--otlp-endpoint', collector.endpoint, '--output', 'json']),
    ];
  });
  after(async () => {
    const codes = [];
    for (const agent of agents) codes.push(await agent.stop());
    await collector?.stop();
    await direct?.stop();
    await viaCollector?.stop();
    await nginx?.stop();
    assert.deepEqual(
      codes,
      agents.map(() => 0),
      agents.map((a) => a.stderr()).join('\n---\n'),
    );
  });

  it('the same exchange record arrives unchanged, directly and through the Collector', async () => {
    const traceparent = '00-5b8aa5a2d2c872e8321cf37308d69df2-051581bf3cb55c13-01';
    const run = await curl(`https://127.0.0.1:${nginx.port}/hello?via=collector`, [
      '-H',
      `traceparent: ${traceparent}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const mine = (all: readonly DecodedLogRecord[]): DecodedLogRecord | undefined => exchangesOf(all, run.pid)[0];
    const [a, b] = await Promise.all([
      direct.waitFor((all) => mine(all) !== undefined, 15_000).then(mine),
      viaCollector.waitFor((all) => mine(all) !== undefined, 15_000).then(mine),
    ]);
    assert.ok(a && b);
    assert.equal(a.traceId, '5b8aa5a2d2c872e8321cf37308d69df2');
    assert.equal(a.attributes['url.query'], 'via=collector');
    assert.deepEqual(a.attributes['http.request.header.traceparent'], [traceparent]);
    // Event name, severity, body, every attribute with its type, trace context, resource, scope.
    assert.deepEqual(comparable(b), comparable(a));
    // And the time and duration, to the nanosecond, as the agent behind the Collector printed them.
    const [json] = jsonExchangesOf(agents[1]?.records() ?? [], run.pid);
    assert.equal(formatRfc3339Nanos(b.timeUnixNano), json?.['time']);
    assert.equal(Math.round((b.attributes['plaintap.duration'] as number) * 1e9), json?.['duration_ns']);
  });
});
