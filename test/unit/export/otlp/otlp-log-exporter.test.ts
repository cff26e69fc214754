/**
 * The exporter's bookkeeping with in-process LogRecordExporters (no network): what reaches the
 * SDK, queue-full drops counted before the SDK would drop silently, failures, shutdown.
 */
import { accountedFor, EXPORTER_TEST_CONNECTION, numberedRawMessage } from '../../../support/exporter-records';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import { createOtlpLogExporter } from '../../../../agent/export/otlp/otlp-log-exporter';
import { otlpExporterStatsSnapshot } from '../../../../agent/export/otlp/export-books';
import type { MappableRecord } from '../../../../agent/export/otlp/log-record-mapping';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];

const connection = EXPORTER_TEST_CONNECTION;
const raw = (i: number): RawMessage => numberedRawMessage(i);

/** Answers every export with `code`, or never (`'hang'`), and keeps what it saw. */
class FakeExporter implements LogRecordExporter {
  readonly seen: ReadableLogRecord[] = [];
  readonly pending: ExportCallback[] = [];
  constructor(private readonly mode: 'ok' | 'fail' | 'hang') {}
  export(logs: ReadableLogRecord[], callback: ExportCallback): void {
    this.seen.push(...logs);
    if (this.mode === 'hang') this.pending.push(callback);
    else if (this.mode === 'ok') callback({ code: 0 });
    else callback({ code: 1, error: new Error('collector says no') });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createOtlpLogExporter (in-process exporter)', () => {
  it('hands mapped records to the SDK with event name, time, resource, scope and trace context', async () => {
    const fake = new FakeExporter('ok');
    const exporter = createOtlpLogExporter({
      exporter: fake,
      env: { OTEL_SERVICE_NAME: 'edge-agent', K8S_NODE_NAME: 'n1' },
      resource: { attributes: { 'deployment.environment.name': 'test' } },
    });
    assert.equal(exporter.ready, true);
    exporter.emit(raw(1));
    const traced: MappableRecord = {
      kind: 'http-exchange-view',
      connection,
      protocol: 'http1',
      httpVersion: '1.1',
      side: 'server',
      timestampNs: 1_700_000_000_500_000_000n,
      durationNs: 2_000_000n,
      request: {
        method: 'POST',
        target: '/api',
        headers: [['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']],
      },
      response: { statusCode: 201, headers: [] },
      truncated: false,
    };
    exporter.emit(traced);
    await exporter.forceFlush();

    assert.equal(fake.seen.length, 2);
    const [first, second] = fake.seen;
    assert.ok(first && second);
    assert.equal(first.eventName, 'plaintap.raw.message');
    assert.deepEqual(first.hrTime, [1_700_000_000, 1]);
    assert.equal(first.body, 'message 1');
    assert.equal(first.attributes['process.executable.name'], 'wget');
    assert.equal(first.spanContext, undefined, 'no ambient trace context leaks in');
    assert.equal(first.instrumentationScope.name, 'plaintap');
    assert.equal(first.resource.attributes['service.name'], 'edge-agent');
    assert.equal(first.resource.attributes['k8s.node.name'], 'n1');
    assert.equal(first.resource.attributes['deployment.environment.name'], 'test');
    assert.equal(first.resource.attributes['telemetry.sdk.language'], 'nodejs');

    assert.equal(second.eventName, 'plaintap.http.exchange');
    assert.equal(second.body, 'POST /api → 201');
    assert.equal(second.spanContext?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(second.spanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(second.spanContext?.traceFlags, 1);

    assert.deepEqual(exporter.stats(), {
      received: 2,
      accepted: 2,
      dropped: { queueFull: 0, shutdown: 0, mappingError: 0 },
      exported: 2,
      failed: 0,
      exportCalls: 1,
      exportFailures: 0,
      exportRetries: 0,
      queueDepth: 0,
      inFlight: 0,
      maxQueueSize: 8192,
      queueBytes: 0,
      maxQueueBytes: 32 * 1024 * 1024,
    });
    await exporter.shutdown();
    assert.equal(exporter.ready, false);
  });

  it('counts queue-full drops itself instead of letting the SDK drop silently', async () => {
    const fake = new FakeExporter('hang');
    const exporter = createOtlpLogExporter({
      exporter: fake,
      env: {},
      maxQueueSize: 4,
      maxExportBatchSize: 2,
      scheduledDelayMillis: 10_000,
      exportTimeoutMillis: 100,
    });
    for (let i = 0; i < 10; i++) exporter.emit(raw(i));
    await tick();
    const s = exporter.stats();
    assert.equal(s.received, 10);
    assert.equal(s.accepted + s.dropped.queueFull, 10);
    assert.ok(s.dropped.queueFull >= 6, `dropped ${s.dropped.queueFull}`);
    assert.equal(s.exportCalls, 1, 'one batch handed to the (hanging) exporter');
    assert.equal(s.inFlight, 2);
    assert.equal(s.queueDepth, s.accepted - 2);
    assert.equal(accountedFor(exporter), 10, 'every record is accounted for');
    await exporter.shutdown(50);
    const after = exporter.stats();
    assert.equal(accountedFor(exporter), 10);
    assert.equal(after.dropped.shutdown, s.accepted, 'nothing was answered: all accepted records are lost at shutdown');
    assert.equal(after.queueDepth, 0);
    assert.equal(after.inFlight, 0);
  });

  it('bounds the queue in encoded bytes: what does not fit is refused and counted, what fits is sent intact', async () => {
    const fake = new FakeExporter('ok');
    const exporter = createOtlpLogExporter({
      exporter: fake,
      env: {},
      maxQueueSize: 1000,
      maxQueueBytes: 11_000,
      scheduledDelayMillis: 10_000,
    });
    const big = (i: number): RawMessage => ({ ...raw(i), payload: new Uint8Array(3000).fill(0x41), length: 3000 });
    for (let i = 0; i < 10; i++) exporter.emit(big(i));
    exporter.emit(raw(10));
    const s = exporter.stats();
    assert.equal(s.accepted, 4);
    assert.equal(s.dropped.queueFull, 7);
    await exporter.forceFlush();
    assert.equal(fake.seen.length, 4);
    assert.deepEqual(
      fake.seen.map((record) => String(record.body).length),
      [3000, 3000, 3000, 'message 10'.length],
      'the refused records left nothing behind in the accepted ones',
    );
    assert.equal(accountedFor(exporter), 11);
    await exporter.shutdown();
  });

  it('counts failed exports and their records', async () => {
    const failures: string[] = [];
    const exporter = createOtlpLogExporter({
      exporter: new FakeExporter('fail'),
      env: {},
      logger: { warn: (message: string) => failures.push(message) } as never,
    });
    for (let i = 0; i < 3; i++) exporter.emit(raw(i));
    await exporter.forceFlush();
    exporter.emit(raw(4));
    await exporter.forceFlush();
    const s = exporter.stats();
    assert.equal(s.exportCalls, 2);
    assert.equal(s.exportFailures, 2);
    assert.equal(s.failed, 4);
    assert.equal(s.exported, 0);
    assert.equal(failures.length, 1, 'the first failure is logged, the rest only counted');
    const snapshot = otlpExporterStatsSnapshot(s);
    assert.equal(snapshot.exporter, 'otlp');
    assert.equal(snapshot.failedRecords, 4);
    assert.deepEqual(snapshot.dropped, { queue_full: 0, shutdown: 0, mapping_error: 0 });
    await exporter.shutdown();
  });

  it('counts records that cannot be mapped and records emitted after shutdown', async () => {
    const exporter = createOtlpLogExporter({ exporter: new FakeExporter('ok'), env: {} });
    exporter.emit({ kind: 'nonsense' } as unknown as MappableRecord);
    await exporter.shutdown();
    exporter.emit(raw(1));
    const s = exporter.stats();
    assert.equal(s.dropped.mappingError, 1);
    assert.equal(s.dropped.shutdown, 1);
    assert.equal(s.accepted, 0);
  });

  it('throws a clear error for an unreadable certificate file', () => {
    assert.throws(
      () => createOtlpLogExporter({ endpoint: 'https://127.0.0.1:1', certificate: '/nonexistent/ca.pem', env: {} }),
      /cannot read the CA certificate \/nonexistent\/ca\.pem/,
    );
  });
});
