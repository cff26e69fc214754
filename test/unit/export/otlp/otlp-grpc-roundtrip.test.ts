/**
 * The real path, on 127.0.0.1 only: createOtlpLogExporter (SDK side on the calling thread) and
 * createThreadedOtlpLogExporter (SDK side in a worker thread) → OTLP/gRPC (@opentelemetry's
 * exporter, grpc-js) → the test receiver decoding the OTLP protobuf schema.
 */
import { facts } from '../../../support/captured-events';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import type { MappableRecord } from '../../../../agent/export/otlp/log-record-mapping';
import {
  createOtlpLogExporter,
  type OtlpLogExporter,
  type OtlpLogExporterOptions,
} from '../../../../agent/export/otlp/otlp-log-exporter';
import { createThreadedOtlpLogExporter } from '../../../../agent/export/otlp/threaded-otlp-log-exporter';
import { startOtlpReceiver, type OtlpReceiver } from '../../../support/otlp-receiver';
import { makeCertificate, type Certificate } from '../../../support/tls-fixtures';
import { rawMessage } from '../../../support/output-records';

const connection = facts({
  pid: 31337,
  tid: 31338,
  uid: 33,
  comm: 'nginx',
  fd: 12,
  sockId: 0x1234n,
  ipVersion: 6,
  localAddress: '::1',
  localPort: 8443,
  remoteAddress: '::1',
  remotePort: 50123,
});

function raw(text: string, i = 0): RawMessage {
  return rawMessage(text, {
    connection,
    direction: Direction.Ingress,
    timestampNs: 1_764_000_000_000_000_000n + BigInt(i),
  });
}

const receivers: OtlpReceiver[] = [];
async function receiver(options: Parameters<typeof startOtlpReceiver>[0] = {}): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(options);
  receivers.push(started);
  return started;
}
after(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

const base: OtlpLogExporterOptions = { env: {}, scheduledDelayMillis: 20 };

/** A TCP relay to `port` that counts the bytes the client sends. */
async function byteCountingProxy(port: number): Promise<{ port: number; sent(): number; close(): Promise<void> }> {
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const FACTORIES: ReadonlyArray<[string, (options: OtlpLogExporterOptions) => OtlpLogExporter]> = [
  ['SDK side on the main thread', createOtlpLogExporter],
  ['SDK side in a worker thread', createThreadedOtlpLogExporter],
];

for (const [where, createOtlpLogExporter] of FACTORIES)
  describe(`OTLP/gRPC round trip to the test receiver (${where})`, () => {
    it('delivers records with event name, attributes, resource, trace context and headers', async () => {
      const r = await receiver();
      const exporter = createOtlpLogExporter({
        ...base,
        endpoint: r.endpoint,
        headers: { 'X-Tenant': 'blue' },
        env: {
          OTEL_EXPORTER_OTLP_HEADERS: 'x-from-env=1',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci',
          K8S_POD_NAME: 'plaintap-xyz',
        },
        resource: { serviceName: 'plaintap-test' },
      });
      exporter.emit(raw('hello\n', 5));
      const exchange: MappableRecord = {
        kind: 'http-exchange-view',
        connection,
        protocol: 'http1',
        httpVersion: '1.1',
        side: 'server',
        timestampNs: 1_764_000_000_250_000_000n,
        durationNs: 3_000_000n,
        request: {
          method: 'GET',
          target: '/health?verbose=1',
          headers: [
            ['Host', 'localhost:8443'],
            ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
            ['X-Request-Id', 'r1'],
          ],
          bodySize: 0,
        },
        response: { statusCode: 200, headers: [], bodySize: 2 },
        truncated: false,
      };
      exporter.emit(exchange);
      const records = await r.waitFor((all) => all.length >= 2, 10_000);
      await exporter.shutdown();

      const [rawRecord, httpRecord] = records;
      assert.ok(rawRecord && httpRecord);
      assert.equal(rawRecord.eventName, 'plaintap.raw.message');
      assert.equal(rawRecord.timeUnixNano, 1_764_000_000_000_000_005n);
      assert.equal(rawRecord.body, 'hello\n');
      assert.equal(rawRecord.severityNumber, 9);
      assert.equal(rawRecord.attributes['process.pid'], 31337);
      assert.equal(rawRecord.attributes['process.executable.name'], 'nginx');
      assert.equal(rawRecord.attributes['network.type'], 'ipv6');
      assert.equal(rawRecord.attributes['plaintap.direction'], 'ingress');
      assert.equal(rawRecord.attributeKinds['process.pid'], 'int');
      assert.equal(rawRecord.traceId, '');
      assert.equal(rawRecord.scope.name, 'plaintap');
      assert.equal(rawRecord.resource['service.name'], 'plaintap-test');
      assert.equal(rawRecord.resource['deployment.environment.name'], 'ci');
      assert.equal(rawRecord.resource['k8s.pod.name'], 'plaintap-xyz');
      assert.equal(rawRecord.resource['host.name'], os.hostname());
      assert.equal(typeof rawRecord.resource['service.version'], 'string');

      assert.equal(httpRecord.eventName, 'plaintap.http.exchange');
      assert.equal(httpRecord.body, 'GET /health → 200');
      assert.equal(httpRecord.attributes['url.query'], 'verbose=1');
      assert.equal(httpRecord.attributes['server.port'], 8443);
      assert.equal(httpRecord.attributes['plaintap.duration'], 0.003);
      assert.equal(httpRecord.attributeKinds['plaintap.duration'], 'double');
      assert.equal(httpRecord.traceId, '0af7651916cd43dd8448eb211c80319c');
      assert.equal(httpRecord.spanId, 'b7ad6b7169203331');
      assert.equal(httpRecord.flags, 1);

      const headers = r.callHeaders[0];
      assert.equal(headers?.['x-tenant'], 'blue');
      assert.equal(headers?.['x-from-env'], '1');
      assert.match(headers?.['user-agent'] ?? '', /OTel-OTLP-Exporter-JavaScript/);

      const stats = exporter.stats();
      assert.equal(stats.exported, 2);
      assert.equal(stats.exportFailures, 0);
    });

    it('reads the endpoint from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', async () => {
      const r = await receiver();
      const exporter = createOtlpLogExporter({
        ...base,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: r.endpoint },
      });
      exporter.emit(raw('via env'));
      await r.waitFor((all) => all.length === 1, 10_000);
      await exporter.shutdown();
    });

    it('recovers from a collector that fails the first two calls (retries) — every record delivered', async () => {
      const r = await receiver({ failFirst: 2 });
      const exporter = createOtlpLogExporter({ ...base, endpoint: r.endpoint, retry: { initialBackoffMillis: 100 } });
      for (let i = 0; i < 5; i++) exporter.emit(raw(`retry ${i}`, i));
      const records = await r.waitFor((all) => all.length >= 5, 15_000);
      await exporter.shutdown();
      assert.deepEqual(
        records.map((x) => x.body),
        [0, 1, 2, 3, 4].map((i) => `retry ${i}`),
      );
      assert.equal(r.failedCalls, 2);
      assert.equal(r.exportCalls, 3, 'two refusals, then the retry that succeeded');
      const stats = exporter.stats();
      assert.equal(stats.exported, 5);
      assert.equal(stats.exportRetries, 2);
      assert.equal(stats.exportFailures, 0, 'retried within the deadline: not a failure');
    });

    it('counts failures when retries cannot fit the deadline, and delivers once the collector answers', async () => {
      const r = await receiver({ failFirst: 2 });
      // A 500 ms export deadline is shorter than the first retry backoff (≥ 800 ms): each refusal
      // fails its export, and the batch is lost (counted).
      const exporter = createOtlpLogExporter({ ...base, endpoint: r.endpoint, exportTimeoutMillis: 500 });
      exporter.emit(raw('lost 1'));
      await exporter.forceFlush();
      exporter.emit(raw('lost 2'));
      await exporter.forceFlush();
      exporter.emit(raw('delivered'));
      const records = await r.waitFor((all) => all.length >= 1, 10_000);
      await exporter.shutdown();
      assert.deepEqual(
        records.map((x) => x.body),
        ['delivered'],
      );
      const stats = exporter.stats();
      assert.equal(r.failedCalls, 2);
      assert.equal(stats.exportFailures, 2);
      assert.equal(stats.exportRetries, 0);
      assert.equal(stats.failed, 2);
      assert.equal(stats.exported, 1);
    });

    it('counts failures against an endpoint where nothing listens, without blocking emit', async () => {
      const closed = await receiver();
      const port = closed.port;
      await closed.stop();
      const exporter = createOtlpLogExporter({
        ...base,
        endpoint: `http://127.0.0.1:${port}`,
        retry: { initialBackoffMillis: 20, maxAttempts: 3 },
      });
      assert.equal(exporter.ready, true, 'ready means configured, not connected');
      exporter.emit(raw('nobody home'));
      await exporter.forceFlush();
      await exporter.shutdown();
      const stats = exporter.stats();
      assert.equal(stats.exportRetries, 2, 'UNAVAILABLE is retried');
      assert.equal(stats.exportFailures, 1);
      assert.equal(stats.failed, 1);
    });

    it('sends gzip-compressed requests that the receiver decodes (fewer bytes on the wire)', async () => {
      const r = await receiver();
      const payload = 'GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n'.repeat(40);
      const wireBytes: Record<string, number> = {};
      for (const compression of ['none', 'gzip'] as const) {
        const proxy = await byteCountingProxy(r.port);
        const exporter = createOtlpLogExporter({ ...base, endpoint: `http://127.0.0.1:${proxy.port}`, compression });
        const before = r.records().length;
        for (let i = 0; i < 50; i++) exporter.emit(raw(payload, i));
        await r.waitFor((all) => all.length >= before + 50, 10_000);
        await exporter.shutdown();
        wireBytes[compression] = proxy.sent();
        await proxy.close();
      }
      const plain = wireBytes['none'] ?? 0;
      const gzip = wireBytes['gzip'] ?? 0;
      assert.ok(plain > 50 * payload.length, `uncompressed wire bytes ${plain}`);
      assert.ok(gzip * 5 < plain, `gzip ${gzip} bytes vs none ${plain} bytes`);
      assert.equal(r.records().filter((x) => x.body === payload).length, 100);
    });

    it('connects over TLS with the certificate option (self-signed CA)', async (t) => {
      let certificate: Certificate;
      try {
        certificate = makeCertificate();
      } catch {
        t.skip('openssl CLI not available to make a test certificate');
        return;
      }
      const { keyFile: key, certFile: cert } = certificate;
      const r = await receiver({ tls: { key: readFileSync(key), cert: readFileSync(cert) } });
      assert.match(r.endpoint, /^https:/);
      const exporter = createOtlpLogExporter({
        ...base,
        env: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: r.endpoint, OTEL_EXPORTER_OTLP_CERTIFICATE: cert },
      });
      exporter.emit(raw('over tls'));
      const records = await r.waitFor((all) => all.length === 1, 10_000);
      await exporter.shutdown();
      assert.equal(records[0]?.body, 'over tls');
    });
  });
