/**
 * HTTP/2 and gRPC exchanges end to end: real clients (curl --http2, nghttp, Python httpx + h2,
 * grpcio) against Debian's nginx with `listen … ssl http2` on 127.0.0.1 (and `grpc_pass` to a
 * grpcio server), captured by the real agent. The client process and nginx each give one
 * exchange per stream; records are also checked at the real OTLP receiver.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonRecordsOf, payloadText, waitForCount, type JsonRecord } from '../support/json-records';
import { curlHttp2, PYTHON, runClient } from '../support/clients';
import { freePort } from '../support/free-port';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type DecodedLogRecord, type OtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf as otlpExchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');

async function startGrpcServer(): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(PYTHON, [path.join(FIXTURES, 'grpc', 'server.py'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`grpc server exited ${code}`)));
    child.stdout?.once('data', () => resolve());
  });
  return { port, process: child };
}

describe('HTTP/2 and gRPC exchanges through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let grpcServer: { port: number; process: ChildProcess };
  let receiver: OtlpReceiver;
  let agent: AgentProcess;

  const exchangesOf = (pid: number): JsonRecord[] => jsonRecordsOf(agent.records(), 'http2.exchange', pid);
  const serverExchanges = (clientPort: number): JsonRecord[] =>
    exchangesOf(nginx.workerPid).filter((r) => r['dst_port'] === clientPort);
  const waitCount = (find: () => JsonRecord[], count: number, what: string): Promise<JsonRecord[]> =>
    waitForCount(agent, find, count, what);
  const byStream = (list: JsonRecord[]): JsonRecord[] => [...list].sort((a, b) => a['stream_id'] - b['stream_id']);
  const summary = (list: JsonRecord[]): unknown[] =>
    byStream(list).map((x) => [x['request']?.['method'], x['request']?.['target'], x['response']?.['status_code']]);

  before(async () => {
    cert = makeCertificate();
    grpcServer = await startGrpcServer();
    // Over HTTP/2 nginx's `return` does not read a request body (curl then stalls): /upload is
    // proxied (body read in full) to a plain-HTTP server block that answers.
    const sinkPort = await freePort();
    nginx = await startNginx(cert, {
      http2: true,
      httpDirectives: `server { listen 127.0.0.1:${sinkPort}; location / { return 200 "uploaded\\n"; } }`,
      serverDirectives: `
        location = /upload { client_max_body_size 10m; proxy_pass http://127.0.0.1:${sinkPort}; }
        location = /text.txt { gzip on; gzip_types text/plain; gzip_min_length 1; }
        location = /missing { return 404; }
        location /plaintap.test.Echo/ { grpc_pass grpc://127.0.0.1:${grpcServer.port}; }`,
    });
    receiver = await startOtlpReceiver();
    agent = await startAgent(
      [
        '--output',
        'json',
        '--body-capture',
        '4096',
        ...commFlags('curl', 'nginx', 'python3', 'nghttp'),
        '--otlp-scheduled-delay',
        '100ms',
      ],
      { env: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: receiver.endpoint } },
    );
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    grpcServer?.process.kill('SIGTERM');
    await receiver?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('curl --http2: one GET, an exchange on both sides, also at the OTLP receiver', async () => {
    const run = await curlHttp2(
      [`https://127.0.0.1:${nginx.port}/hello?sig=secret123&x=1`],
      ['-H', 'Cookie: a=1; session=s3cr3t'],
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, / 2\n/, 'curl negotiated HTTP/2');
    const clientPort = Number(run.stdout.split(' ')[0]);
    const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the client exchange');
    const [server] = await waitCount(() => serverExchanges(clientPort), 1, 'the nginx exchange');
    for (const [x, side] of [
      [client, 'client'],
      [server, 'server'],
    ] as const) {
      assert.equal(x?.['side'], side);
      assert.equal(x?.['stream_id'], 1);
      assert.equal(x?.['complete'], true);
      assert.equal(x?.['headers_incomplete'], false);
      assert.equal(x?.['request']['method'], 'GET');
      assert.equal(x?.['request']['version'], '2');
      assert.equal(x?.['authority'], `127.0.0.1:${nginx.port}`);
      // The query's secret and the cookie are redacted exactly as for HTTP/1.1.
      assert.ok(!JSON.stringify(x).includes('secret123'), 'query token redacted');
      assert.ok(!JSON.stringify(x).includes('s3cr3t'), 'cookie redacted');
      assert.equal(x?.['response']['status_code'], 200);
      assert.equal(payloadText(x?.['response']['body']), 'hello from nginx\n');
    }
    const records = await receiver.waitFor((all) => otlpExchangesOf(all, run.pid).length >= 1, 20_000);
    const otlp = records.find((r) => r.attributes['process.pid'] === run.pid) as DecodedLogRecord;
    assert.equal(otlp.attributes['network.protocol.version'], '2');
    assert.equal(otlp.attributes['plaintap.protocol'], 'http2');
    assert.equal(otlp.attributes['plaintap.http2.stream_id'], 1);
    assert.equal(otlp.attributes['http.response.status_code'], 200);
    assert.equal(otlp.attributes['url.path'], '/hello');
    assert.equal(otlp.attributes['server.address'], '127.0.0.1');
    assert.equal(otlp.attributes['server.port'], nginx.port);
    assert.ok(!String(otlp.attributes['url.query']).includes('secret123'));
  });

  test('curl -Z: three requests multiplexed on one connection (200, 404, gzip), one exchange per stream', async () => {
    const base = `https://127.0.0.1:${nginx.port}`;
    const run = await curlHttp2([`${base}/hello`, `${base}/missing`, `${base}/text.txt`], ['-Z', '--compressed']);
    assert.equal(run.code, 0, run.stderr);
    const ports = new Set(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    );
    assert.equal(ports.size, 1, `one connection: ${run.stdout}`);
    const clientPort = Number([...ports][0]);
    const client = await waitCount(() => exchangesOf(run.pid), 3, 'three client exchanges');
    const server = await waitCount(() => serverExchanges(clientPort), 3, 'three nginx exchanges');
    for (const list of [client, server]) {
      assert.deepEqual(summary(list), [
        ['GET', '/hello', 200],
        ['GET', '/missing', 404],
        ['GET', '/text.txt', 200],
      ]);
      assert.deepEqual(
        byStream(list).map((x) => x['stream_id']),
        [1, 3, 5],
      );
      const gzip = byStream(list)[2] as JsonRecord;
      assert.equal(gzip['response']['body']['content_encoding'], 'gzip');
      assert.equal(gzip['response']['body']['decoding'], 'decoded');
      assert.equal(gzip['response']['body']['decoded_size'], 200 * 1024);
      assert.ok(payloadText(gzip['response']['body']).startsWith('line 0 of the plaintap text fixture\n'));
      for (const x of list) assert.equal(x['complete'], true);
    }
  });

  test('curl --http2: a POST body and a 1 MiB download, sizes in full and previews capped', async () => {
    const upload = path.join(cert.dir, 'upload2.bin');
    fs.writeFileSync(upload, Buffer.alloc(100 * 1024, 'u'));
    const base = `https://127.0.0.1:${nginx.port}`;
    const post = await curlHttp2([`${base}/upload`], ['--data-binary', `@${upload}`]);
    const big = await curlHttp2([`${base}/big.bin`]);
    assert.equal(post.code, 0, post.stderr);
    assert.equal(big.code, 0, big.stderr);
    for (const [run, check] of [
      [
        post,
        (x: JsonRecord) => {
          assert.equal(x['request']['method'], 'POST');
          assert.equal(x['request']['body']['size'], 100 * 1024);
          assert.equal(x['request']['body']['captured_length'], 4096);
          assert.equal(x['request']['body']['truncated'], true);
          assert.equal(x['response']['status_code'], 200);
          assert.equal(payloadText(x['response']['body']), 'uploaded\n');
        },
      ],
      [
        big,
        (x: JsonRecord) => {
          assert.equal(x['response']['body']['size'], 1024 * 1024);
          assert.equal(x['response']['body']['captured_length'], 4096);
        },
      ],
    ] as const) {
      const clientPort = Number(run.stdout.split(' ')[0]);
      const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the client exchange');
      const [server] = await waitCount(() => serverExchanges(clientPort), 1, 'the nginx exchange');
      for (const x of [client, server]) {
        assert.equal(x?.['complete'], true, JSON.stringify(x).slice(0, 1400));
        check(x);
      }
    }
  });

  test('nghttp: several streams at once', async () => {
    const base = `https://127.0.0.1:${nginx.port}`;
    const run = await runClient('nghttp', [
      '-n',
      `${base}/hello`,
      `${base}/index.html`,
      `${base}/missing`,
      `${base}/text.txt`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const client = await waitCount(() => exchangesOf(run.pid), 4, 'four nghttp exchanges');
    const clientPort = client[0]?.['src_port'] as number;
    const server = await waitCount(() => serverExchanges(clientPort), 4, 'four nginx exchanges');
    for (const list of [client, server]) {
      assert.deepEqual(summary(list), [
        ['GET', '/hello', 200],
        ['GET', '/index.html', 200],
        ['GET', '/missing', 404],
        ['GET', '/text.txt', 200],
      ]);
    }
  });

  test('Python httpx + h2 (its own OpenSSL): three requests on one connection', async () => {
    const run = await runClient(PYTHON, [
      path.join(FIXTURES, 'http2', 'httpx_client.py'),
      `https://127.0.0.1:${nginx.port}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\/hello HTTP\/2 200/);
    const client = await waitCount(() => exchangesOf(run.pid), 3, 'three httpx exchanges');
    const clientPort = client[0]?.['src_port'] as number;
    const server = await waitCount(() => serverExchanges(clientPort), 3, 'three nginx exchanges');
    for (const list of [client, server]) {
      assert.deepEqual(summary(list), [
        ['GET', '/hello', 200],
        ['GET', '/index.html', 200],
        ['GET', '/missing', 404],
      ]);
    }
  });

  test('gRPC through nginx grpc_pass: one record per call with service, method, status, message counts', async () => {
    const run = await runClient(PYTHON, [
      path.join(FIXTURES, 'grpc', 'client.py'),
      `127.0.0.1:${nginx.port}`,
      '--tls',
      cert.certFile,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Missing NOT_FOUND no such item: 42/);
    // nginx's client-facing side (its OpenSSL); grpcio's own TLS (BoringSSL) is not captured.
    const calls = await agent.waitFor(
      () => {
        const found = exchangesOf(nginx.workerPid).filter(
          (x) => x['grpc']?.['service'] === 'plaintap.test.Echo' && x['side'] === 'server',
        );
        return found.length >= 4 ? found : undefined;
      },
      20_000,
      'four gRPC calls on nginx',
    );
    const rows = byStream(calls).map((x) => [
      x['grpc']['method'],
      x['grpc']['status_code'],
      x['grpc']['status_message'],
      x['grpc']['request_messages']['count'],
      x['grpc']['response_messages']['count'],
      x['complete'],
    ]);
    assert.deepEqual(rows, [
      ['Unary', 0, null, 1, 1, true],
      ['Missing', 5, 'no such item: 42', 1, 0, true],
      ['ServerStream', 0, null, 1, 10, true],
      ['ClientStream', 0, null, 5, 1, true],
    ]);
    const records = await receiver.waitFor(
      (all) =>
        all.filter((r) => r.attributes['rpc.system'] === 'grpc' && r.attributes['rpc.method'] === 'Missing').length > 0,
      20_000,
    );
    const missing = records.find((r) => r.attributes['rpc.method'] === 'Missing') as DecodedLogRecord;
    assert.equal(missing.attributes['rpc.service'], 'plaintap.test.Echo');
    assert.equal(missing.attributes['rpc.grpc.status_code'], 5);
    assert.equal(missing.attributes['plaintap.protocol'], 'grpc');
    assert.equal(missing.attributes['network.protocol.version'], '2');
  });
});
