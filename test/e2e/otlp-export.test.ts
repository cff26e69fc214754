/**
 * OTLP export end to end: real curl / python3 / openssl traffic to a real nginx, captured by the
 * real agent, exported over OTLP/gRPC to a real receiver (grpc-js decoding the OTLP protobuf
 * schema): one log record per HTTP exchange with the semantic-convention attributes, the caller's
 * trace context and the resource; secrets redacted in every output; a receiver that fails or
 * starts late costs records (counted), never the agent; SIGTERM right after a request delivers it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { VERSION } from '../../agent/version';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { metricsBase, scrapeMetrics, waitForSample } from '../support/agent-metrics';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { PYTHON, curl, localPort, runClient } from '../support/clients';
import { freePort } from '../support/free-port';
import { httpGet, sampleValue } from '../support/http-get';
import { nginxForSuite } from '../support/suite-nginx';
import { waitForJsonExchange } from '../support/json-records';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { describeRecords, exchangesOf, recordsOf, recordsText } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';

const skip = kernelTestSkipReason();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('OTLP export through the real kernel path', { skip }, () => {
  const nginx = nginxForSuite();

  describe('records, attributes, trace context and resource', () => {
    let receiver: OtlpReceiver;
    let agent: AgentProcess;

    before(async () => {
      receiver = await startOtlpReceiver();
      // Everything through the standard variables, as a Kubernetes DaemonSet would set them.
      agent = await startAgent(
        ['--output', 'none', ...commFlags('curl', 'nginx', 'python3'), '--otlp-scheduled-delay', '100ms'],
        {
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', // the logs-specific variable below wins
            OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: receiver.endpoint,
            OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=plaintap%20e2e',
            OTEL_SERVICE_NAME: 'plaintap-e2e',
            OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.name=overridden',
            K8S_NODE_NAME: 'node-a',
            K8S_POD_NAME: 'plaintap-xyz',
            K8S_NAMESPACE_NAME: 'observability',
          },
        },
      );
    });
    after(async () => {
      const code = await agent?.stop('SIGTERM');
      await receiver?.stop();
      assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
    });

    test('the ready line names the endpoint and the metrics address', () => {
      assert.match(agent.readyLine, /^ready attached=.*libssl\.so[.\d]*\[\d+\]/);
      assert.match(agent.readyLine, / metrics=127\.0\.0\.1:\d+ /);
      assert.ok(agent.readyLine.endsWith(` otlp=${receiver.endpoint}`), agent.readyLine);
    });

    test("curl: one exchange record per side with HTTP attributes, the caller's trace and the resource", async () => {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?from=curl`, ['-H', `traceparent: ${TRACEPARENT}`]);
      assert.equal(run.code, 0, run.stderr);
      const clientPort = localPort(run);
      const records = await receiver.waitFor(
        (all) =>
          exchangesOf(all, run.pid).length >= 1 &&
          exchangesOf(all, nginx.workerPid).some((r) => r.attributes['client.port'] === clientPort),
        15_000,
      );
      const client = exchangesOf(records, run.pid)[0];
      const server = exchangesOf(records, nginx.workerPid).find((r) => r.attributes['client.port'] === clientPort);
      assert.ok(client && server);

      for (const [record, side] of [
        [client, 'client'],
        [server, 'server'],
      ] as const) {
        const a = record.attributes;
        assert.equal(record.eventName, 'plaintap.http.exchange');
        assert.equal(record.severityText, 'INFO');
        assert.equal(record.body, 'GET /hello → 200');
        assert.equal(a['http.request.method'], 'GET');
        assert.equal(a['url.scheme'], 'https');
        assert.equal(a['url.path'], '/hello');
        assert.equal(a['url.query'], 'from=curl');
        assert.equal(a['http.response.status_code'], 200);
        assert.equal(record.attributeKinds['http.response.status_code'], 'int');
        assert.equal(a['server.address'], '127.0.0.1');
        assert.equal(a['server.port'], nginx.port);
        assert.equal(a['client.address'], '127.0.0.1');
        assert.equal(a['client.port'], clientPort);
        assert.equal(a['network.protocol.name'], 'http');
        assert.equal(a['network.protocol.version'], '1.1');
        assert.match(String(a['user_agent.original']), /^curl\//);
        assert.equal(a['http.response.body.size'], 'hello from nginx\n'.length);
        assert.equal(a['plaintap.side'], side);
        assert.equal(a['plaintap.incomplete'], false);
        assert.equal(a['network.transport'], 'tcp');
        assert.equal(a['plaintap.tls.library'], 'openssl');
        assert.equal(record.attributeKinds['plaintap.duration'], 'double');
        assert.ok((a['plaintap.duration'] as number) > 0);
        // W3C traceparent → the record joins the caller's trace.
        assert.equal(record.traceId, TRACE_ID);
        assert.equal(record.spanId, SPAN_ID);
        assert.equal(record.flags & 0xff, 1);
        assert.ok(record.timeUnixNano > 0n && record.timeUnixNano <= record.observedTimeUnixNano + 1_000_000_000n);
      }
      assert.equal(client.attributes['process.executable.name'], 'curl');
      assert.equal(client.attributes['network.peer.port'], nginx.port);
      assert.equal(server.attributes['process.executable.name'], 'nginx');
      assert.equal(server.attributes['network.local.port'], nginx.port);

      assert.deepEqual(
        {
          'service.name': client.resource['service.name'],
          'service.version': client.resource['service.version'],
          'host.name': client.resource['host.name'],
          'deployment.environment.name': client.resource['deployment.environment.name'],
          'k8s.node.name': client.resource['k8s.node.name'],
          'k8s.pod.name': client.resource['k8s.pod.name'],
          'k8s.namespace.name': client.resource['k8s.namespace.name'],
        },
        {
          'service.name': 'plaintap-e2e', // OTEL_SERVICE_NAME beats service.name in OTEL_RESOURCE_ATTRIBUTES
          'service.version': VERSION,
          'host.name': os.hostname(),
          'deployment.environment.name': 'test',
          'k8s.node.name': 'node-a',
          'k8s.pod.name': 'plaintap-xyz',
          'k8s.namespace.name': 'observability',
        },
      );
      assert.equal(client.scope.name, 'plaintap');
      assert.equal(client.scope.version, VERSION);
      assert.equal(
        receiver.callHeaders.at(-1)?.['x-tenant'],
        'plaintap e2e',
        'OTEL_EXPORTER_OTLP_HEADERS sent as gRPC metadata',
      );
    });

    test('python3 urllib: its exchange with its own trace context', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const script = `
import ssl, urllib.request
req = urllib.request.Request('https://127.0.0.1:${nginx.port}/hello?from=python', headers={'traceparent': '00-${traceId}-b7ad6b7169203331-00'})
print(urllib.request.urlopen(req, context=ssl._create_unverified_context()).read().decode(), end='')
`;
      const run = await runClient(PYTHON, ['-c', script]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'hello from nginx\n');
      const [record] = exchangesOf(
        await receiver.waitFor((all) => exchangesOf(all, run.pid).length >= 1, 15_000),
        run.pid,
      );
      assert.ok(record);
      assert.equal(record.attributes['process.executable.name'], 'python3');
      assert.equal(record.attributes['http.request.method'], 'GET');
      assert.equal(record.attributes['url.path'], '/hello');
      assert.equal(record.attributes['url.query'], 'from=python');
      assert.equal(record.attributes['http.response.status_code'], 200);
      assert.equal(record.attributes['server.port'], nginx.port);
      assert.match(String(record.attributes['user_agent.original']), /^Python-urllib\//);
      assert.equal(record.traceId, traceId);
      assert.equal(record.spanId, 'b7ad6b7169203331');
      assert.equal(record.flags & 0xff, 0, 'sampled flag off as sent');
    });

    test('the exporter counts what it delivered', async () => {
      const exported = await waitForSample(agent, 'plaintap_records_exported_total', { exporter: 'otlp' }, 3);
      const text = await scrapeMetrics(agent);
      assert.ok(exported >= 3);
      assert.equal(sampleValue(text, 'plaintap_export_failures_total', { exporter: 'otlp' }), 0);
      assert.equal(sampleValue(text, 'plaintap_export_dropped_total', { exporter: 'otlp', reason: 'queue_full' }), 0);
      assert.equal(sampleValue(text, 'plaintap_export_queue_capacity', { exporter: 'otlp' }), 8192);
      assert.equal(sampleValue(text, 'plaintap_export_queue_bytes_capacity', { exporter: 'otlp' }), 32 * 1024 * 1024);
      assert.ok(
        (sampleValue(text, 'plaintap_export_queue_bytes', { exporter: 'otlp' }) ?? -1) >= 0,
        'the queue depth in bytes is exposed',
      );
    });
  });

  test('redaction: secrets are REDACTED on stdout (JSON) and in OTLP; header allow-lists; raw text lines too', async () => {
    const receiver = await startOtlpReceiver();
    const agent = await startAgent([
      '--output',
      'json',
      ...commFlags('curl', 'openssl'),
      ...otlpFlags(receiver.endpoint),
      '--redact-header',
      'X-Api-Key',
      '--redact-query-key',
      'token',
      '--http-request-header',
      'x-api-key',
      '--http-request-header',
      'accept',
      '--http-response-header',
      'content-type',
    ]);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?token=tok-s3cr3t&sig=sig-s3cr3t&q=1`, [
        '-H',
        'Authorization: Bearer auth-s3cr3t',
        '-H',
        'Cookie: session=cookie-s3cr3t',
        '-H',
        'X-Api-Key: key-s3cr3t',
      ]);
      assert.equal(run.code, 0, run.stderr);
      // Bytes no protocol claims (not HTTP) are printed raw: header-looking lines are redacted too.
      const raw = await runClient(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${nginx.port}`, '-quiet'],
        'HELLO plaintap\r\nAuthorization: Basic raw-s3cr3t\r\n\r\n',
      );
      assert.ok(raw.pid > 0);

      const json = await waitForJsonExchange(agent, run.pid);
      assert.equal(json['request']['target'], '/hello?token=REDACTED&sig=REDACTED&q=1');
      const headers = Object.fromEntries(json['request']['headers'] as [string, string][]);
      assert.equal(headers['Authorization'], 'REDACTED');
      assert.equal(headers['Cookie'], 'REDACTED');
      assert.equal(headers['X-Api-Key'], 'REDACTED');
      assert.equal(headers['Accept'], '*/*');

      const rawJson = await agent.waitFor(
        () => agent.records().find((r) => r['kind'] === 'raw' && r['pid'] === raw.pid && r['direction'] === 'egress'),
        15_000,
        'the raw openssl record',
      );
      assert.equal(rawJson['payload'], 'HELLO plaintap\r\nAuthorization: REDACTED\r\n\r\n');

      const records = await receiver.waitFor(
        (all) => exchangesOf(all, run.pid).length >= 1 && recordsOf(all, 'plaintap.raw.message', raw.pid).length >= 1,
        15_000,
      );
      const [exchange] = exchangesOf(records, run.pid);
      assert.ok(exchange);
      assert.equal(exchange.attributes['url.query'], 'token=REDACTED&sig=REDACTED&q=1');
      assert.deepEqual(exchange.attributes['http.request.header.x-api-key'], ['REDACTED']);
      assert.deepEqual(exchange.attributes['http.request.header.accept'], ['*/*']);
      assert.deepEqual(exchange.attributes['http.response.header.content-type'], ['text/plain']);
      assert.equal(exchange.attributes['http.request.header.authorization'], undefined, 'not on the allow-list');
      const rawRecord = recordsOf(records, 'plaintap.raw.message', raw.pid).find(
        (r) => r.attributes['plaintap.direction'] === 'egress',
      );
      assert.equal(rawRecord?.body, 'HELLO plaintap\r\nAuthorization: REDACTED\r\n\r\n');

      // No output carries any of the secrets.
      for (const text of [agent.stdout(), recordsText(records)]) assert.doesNotMatch(text, /s3cr3t/);
    } finally {
      const code = await agent.stop();
      await receiver.stop();
      assert.equal(code, 0, agent.stderr());
    }
  });

  test('turning a default redaction off is explicit: --unredact-header cookie', async () => {
    const agent = await startAgent(['--output', 'json', '--comm', 'curl', '--unredact-header', 'cookie']);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello`, [
        '-H',
        'Cookie: visible=1',
        '-H',
        'Authorization: Bearer hidden',
      ]);
      const json = await waitForJsonExchange(agent, run.pid, 15_000, 'the exchange');
      const headers = Object.fromEntries(json['request']['headers'] as [string, string][]);
      assert.equal(headers['Cookie'], 'visible=1');
      assert.equal(headers['Authorization'], 'REDACTED');
    } finally {
      assert.equal(await agent.stop(), 0);
    }
  });

  test('https:// endpoint: TLS verified against the configured CA, gzip, headers from a flag', async () => {
    const receiver = await startOtlpReceiver({
      tls: { key: fs.readFileSync(nginx.cert.keyFile), cert: fs.readFileSync(nginx.cert.certFile) },
    });
    const agent = await startAgent([
      '--output',
      'none',
      ...commFlags('curl'),
      ...otlpFlags(receiver.endpoint),
      '--otlp-certificate',
      nginx.cert.certFile,
      '--otlp-compression',
      'gzip',
      '--otlp-header',
      'authorization=Bearer collector-token',
    ]);
    try {
      assert.match(receiver.endpoint, /^https:\/\//);
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?over=tls`);
      const records = await receiver.waitFor((all) => exchangesOf(all, run.pid).length >= 1, 15_000);
      assert.equal(exchangesOf(records, run.pid)[0]?.attributes['url.query'], 'over=tls');
      assert.equal(receiver.callHeaders.at(-1)?.['authorization'], 'Bearer collector-token');
      assert.match(
        agent.stderr(),
        /info otlp export on endpoint=https:\/\/127\.0\.0\.1:\d+ tls=true compression=gzip headers=authorization/,
      );
      assert.doesNotMatch(agent.stderr(), /collector-token/, 'header values are not logged');
    } finally {
      assert.equal(await agent.stop(), 0, agent.stderr());
      await receiver.stop();
    }
  });

  test('SIGTERM right after a request: the record is still delivered, exit 0', async () => {
    const receiver = await startOtlpReceiver();
    // A long batch delay: the record is surely still queued when the signal comes.
    const agent = await startAgent(['--output', 'none', ...commFlags('curl'), ...otlpFlags(receiver.endpoint, '30s')]);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?last=1`);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await agent.stop('SIGTERM'), 0, agent.stderr());
      const [record] = exchangesOf(receiver.records(), run.pid);
      assert.ok(
        record,
        `the exchange was delivered before exit; stderr:\n${agent.stderr()}\n${describeRecords(receiver.records())}`,
      );
      assert.equal(record.attributes['url.query'], 'last=1');
      assert.match(agent.stderr(), /info stopped .*otlp_exported=[1-9]\d* otlp_failed=0 otlp_dropped=0/);
    } finally {
      await agent.stop();
      await receiver.stop();
    }
  });

  test('a receiver that fails its first exports: failures counted, later records delivered, no crash', async () => {
    const receiver = await startOtlpReceiver({ failFirst: 2 });
    // A short export deadline: a refused batch gives up quickly (and is counted) instead of retrying for 30 s.
    const agent = await startAgent([
      '--output',
      'none',
      ...commFlags('curl'),
      ...otlpFlags(receiver.endpoint),
      '--otlp-export-timeout',
      '1500ms',
    ]);
    try {
      const first = await curl(`https://127.0.0.1:${nginx.port}/hello?first=1`);
      assert.equal(first.code, 0, first.stderr);
      await waitForSample(agent, 'plaintap_export_failures_total', { exporter: 'otlp' }, 1);
      const later = await curl(`https://127.0.0.1:${nginx.port}/hello?later=1`);
      const records = await receiver.waitFor((all) => exchangesOf(all, later.pid).length >= 1, 20_000);
      assert.equal(exchangesOf(records, later.pid)[0]?.attributes['url.query'], 'later=1');
      // The receiver keeps records before it answers: the agent counts them once the answer is in.
      await waitForSample(agent, 'plaintap_records_exported_total', { exporter: 'otlp' }, 1);
      assert.ok(
        (sampleValue(await scrapeMetrics(agent), 'plaintap_export_failed_records_total', { exporter: 'otlp' }) ?? 0) >=
          1,
      );
      assert.ok(receiver.failedCalls >= 1);
      assert.match(agent.stderr(), /warn otlp: export failed/);
    } finally {
      assert.equal(await agent.stop(), 0, agent.stderr());
      await receiver.stop();
    }
  });

  test('a receiver that starts late: failures counted meanwhile, then records delivered, no crash', async () => {
    const port = await freePort();
    const agent = await startAgent([
      '--output',
      'none',
      ...commFlags('curl'),
      ...otlpFlags(`http://127.0.0.1:${port}`),
      '--otlp-export-timeout',
      '1500ms',
    ]);
    let receiver: OtlpReceiver | undefined;
    try {
      assert.match(
        agent.readyLine,
        new RegExp(`otlp=http://127\\.0\\.0\\.1:${port}$`),
        'ready without waiting for the collector',
      );
      const early = await curl(`https://127.0.0.1:${nginx.port}/hello?early=1`);
      assert.equal(early.code, 0, early.stderr);
      await waitForSample(agent, 'plaintap_export_failures_total', { exporter: 'otlp' }, 1);
      const readyz = await httpGet(`${metricsBase(agent)}/readyz`);
      assert.equal(readyz.status, 200, 'a collector that is down does not make the agent unready');

      receiver = await startOtlpReceiver({ port });
      // gRPC reconnects with backoff: keep making requests until one is delivered.
      const delivered = await (async () => {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const run = await curl(`https://127.0.0.1:${nginx.port}/hello?late=1`);
          const found = await receiver
            .waitFor((all) => exchangesOf(all, run.pid).length >= 1, 5000)
            .catch(() => undefined);
          if (found) return exchangesOf(found, run.pid)[0];
        }
        return undefined;
      })();
      assert.ok(
        delivered,
        `a record was delivered once the receiver listened; stderr:\n${agent.stderr()}\n${describeRecords(receiver.records())}`,
      );
      assert.equal(delivered.attributes['url.query'], 'late=1');
      assert.equal(
        exchangesOf(receiver.records(), early.pid).length,
        0,
        'the early record was lost (and counted), not delivered',
      );
    } finally {
      assert.equal(await agent.stop(), 0, agent.stderr());
      await receiver?.stop();
    }
  });
});
