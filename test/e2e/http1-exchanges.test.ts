/**
 * HTTP/1.1 exchanges end to end: real clients (curl, python3, openssl
 * s_client, python3-websockets) against real servers (nginx, websockets) on
 * 127.0.0.1, captured by the real agent. Both the client process and the
 * server process give one exchange each, with method, path, status and sizes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonExchangesOf, payloadText, waitForCount, type JsonRecord } from '../support/json-records';
import { PYTHON, curl, localPort, runClient } from '../support/clients';
import { freePort } from '../support/free-port';
import { TEXT_FILE, startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();
const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');

describe('HTTP/1.1 exchanges through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);
  /** Exchanges of the nginx worker on the connection whose client port is `clientPort`. */
  const serverExchanges = (clientPort: number): JsonRecord[] =>
    exchangesOf(nginx.workerPid).filter((r) => r['dst_port'] === clientPort);
  const waitCount = (find: () => JsonRecord[], count: number, what: string): Promise<JsonRecord[]> =>
    waitForCount(agent, find, count, what, 15_000);

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert, {
      serverDirectives: `
        location = /upload { client_max_body_size 10m; return 200 "uploaded\\n"; }
        location = /text.txt { gzip on; gzip_types text/plain; gzip_min_length 1; }
        location = /created { return 201 "created\\n"; }
        location = /missing { return 404; }`,
    });
    agent = await startAgent([
      '--output',
      'json',
      ...commFlags('curl', 'nginx', 'python3', 'openssl'),
      // Bodies are off in JSON by default: these tests read them.
      '--body-capture',
      '4KiB',
    ]);
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('curl keep-alive: several URLs on one connection, each an exchange on both sides', async () => {
    const base = `https://127.0.0.1:${nginx.port}`;
    const run = await curl(`${base}/hello`, [
      '-o',
      '/dev/null',
      `${base}/created`,
      '-o',
      '/dev/null',
      `${base}/missing`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const clientPort = localPort(run);
    const client = await waitCount(() => exchangesOf(run.pid), 3, 'three client exchanges');
    const server = await waitCount(() => serverExchanges(clientPort), 3, 'three server exchanges');
    for (const [list, side] of [
      [client, 'client'],
      [server, 'server'],
    ] as const) {
      assert.deepEqual(
        list.map((x) => [x['request']['method'], x['request']['target'], x['response']['status_code']]),
        [
          ['GET', '/hello', 200],
          ['GET', '/created', 201],
          ['GET', '/missing', 404],
        ],
      );
      for (const x of list) {
        assert.equal(x['side'], side);
        assert.equal(x['complete'], true);
        assert.equal(x['fd'], list[0]?.['fd'], 'one connection');
        assert.ok(x['duration_ns'] > 0);
      }
      assert.equal(list[0]?.['response']['body']['size'], 'hello from nginx\n'.length);
      assert.equal(payloadText(list[0]?.['response']['body']), 'hello from nginx\n');
    }
    assert.equal(client[0]?.['src_port'], clientPort);
    assert.equal(client[0]?.['dst_port'], nginx.port);
    assert.equal(server[0]?.['src_port'], nginx.port);
  });

  test('a POST with a large body: sizes counted in full, preview capped and marked', async () => {
    const upload = path.join(cert.dir, 'upload.bin');
    fs.writeFileSync(upload, Buffer.alloc(256 * 1024, 'u'));
    const run = await curl(`https://127.0.0.1:${nginx.port}/upload`, [
      '--data-binary',
      `@${upload}`,
      '-H',
      'Content-Type: application/octet-stream',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the POST exchange');
    const [server] = await waitCount(() => serverExchanges(localPort(run)), 1, 'the POST on nginx');
    for (const x of [client, server]) {
      assert.equal(x?.['request']['method'], 'POST');
      assert.equal(x?.['request']['body']['size'], 256 * 1024);
      assert.equal(x?.['request']['body']['captured_length'], 4096);
      assert.equal(x?.['request']['body']['truncated'], true);
      assert.equal(x?.['response']['status_code'], 200);
    }
  });

  test('a chunked gzip response is de-chunked and decoded', async () => {
    const run = await curl(`https://127.0.0.1:${nginx.port}/text.txt`, ['--compressed']);
    assert.equal(run.code, 0, run.stderr);
    const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the gzip exchange');
    const [server] = await waitCount(() => serverExchanges(localPort(run)), 1, 'the gzip exchange on nginx');
    for (const x of [client, server]) {
      const response = x?.['response'];
      const headers = new Map((response['headers'] as [string, string][]).map(([k, v]) => [k.toLowerCase(), v]));
      assert.equal(headers.get('transfer-encoding'), 'chunked');
      assert.equal(response['body']['content_encoding'], 'gzip');
      assert.equal(response['body']['decoding'], 'decoded');
      assert.equal(response['body']['decoded_size'], TEXT_FILE.length);
      assert.ok(response['body']['size'] < TEXT_FILE.length / 3, 'the wire carried the compressed size');
      assert.ok(TEXT_FILE.startsWith(payloadText(response['body'])), 'the preview is the decoded text');
      assert.equal(x?.['complete'], true);
    }
    assert.ok(zlib.gzipSync(TEXT_FILE).length < TEXT_FILE.length);
  });

  test('a 1 MiB download over many SSL_read calls is one complete exchange', async () => {
    const run = await curl(`https://127.0.0.1:${nginx.port}/big.bin`);
    assert.equal(run.code, 0, run.stderr);
    const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the download');
    const [server] = await waitCount(() => serverExchanges(localPort(run)), 1, 'the download on nginx');
    for (const x of [client, server]) {
      assert.equal(x?.['complete'], true);
      assert.equal(x?.['response']['status_code'], 200);
      assert.equal(x?.['response']['body']['size'], 1024 * 1024);
      assert.equal(x?.['response']['body']['truncated'], true);
    }
  });

  test('two pipelined requests written at once (openssl s_client) pair in order', async () => {
    const requests =
      'GET /hello?first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
      'GET /created?second HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const run = await runClient('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${nginx.port}`], requests);
    assert.match(run.stdout, /hello from nginx[\s\S]*created/);
    const client = await waitCount(() => exchangesOf(run.pid), 2, 'two pipelined exchanges (client)');
    assert.deepEqual(
      client.map((x) => [x['request']['target'], x['response']['status_code']]),
      [
        ['/hello?first', 200],
        ['/created?second', 201],
      ],
    );
    const clientPort = client[0]?.['src_port'] as number;
    const server = await waitCount(() => serverExchanges(clientPort), 2, 'two pipelined exchanges (server)');
    assert.deepEqual(
      server.map((x) => [x['request']['target'], x['response']['status_code'], x['side']]),
      [
        ['/hello?first', 200, 'server'],
        ['/created?second', 201, 'server'],
      ],
    );
  });

  test('python3 urllib', async () => {
    const script = `
import ssl, urllib.request
ctx = ssl._create_unverified_context()
print(urllib.request.urlopen('https://127.0.0.1:${nginx.port}/hello?lang=python', context=ctx).read().decode(), end='')
`;
    const run = await runClient(PYTHON, ['-c', script]);
    assert.equal(run.code, 0, run.stderr);
    const [x] = await waitCount(() => exchangesOf(run.pid), 1, 'the urllib exchange');
    assert.equal(x?.['request']['method'], 'GET');
    assert.equal(x?.['request']['target'], '/hello?lang=python');
    assert.equal(x?.['response']['status_code'], 200);
    assert.equal(x?.['side'], 'client');
    assert.equal(x?.['comm'], 'python3');
  });

  test('WebSocket over TLS (python3-websockets both ends): the upgrade exchange and each message with direction', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(
      PYTHON,
      [path.join(FIXTURES, 'websocket', 'echo-server.py'), cert.certFile, cert.keyFile, String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
        server.once('exit', (code) => reject(new Error(`websocket server exited ${code}`)));
      });
      const run = await runClient(PYTHON, [path.join(FIXTURES, 'websocket', 'client.py'), String(port)]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^echo:hello plaintap\n/);
      for (const [pid, side] of [
        [run.pid, 'client'],
        [server.pid ?? 0, 'server'],
      ] as const) {
        const [upgrade] = await waitCount(() => exchangesOf(pid), 1, `the ${side} upgrade exchange`);
        assert.equal(upgrade?.['response']['status_code'], 101);
        assert.equal(upgrade?.['upgrade'], 'websocket');
        assert.equal(upgrade?.['request']['target'], '/chat');
        assert.equal(upgrade?.['side'], side);
        const messages = await agent.waitFor(
          () => {
            const found = agent.records().filter((r) => r['kind'] === 'websocket.message' && r['pid'] === pid);
            return found.length >= 4 ? found : undefined;
          },
          15_000,
          `four ${side} websocket messages`,
        );
        const summary = messages.map((m) => [m['sender'], m['type'], m['direction']]);
        const out = side === 'client' ? 'egress' : 'ingress';
        const back = side === 'client' ? 'ingress' : 'egress';
        assert.deepEqual(summary, [
          ['client', 'text', out],
          ['server', 'text', back],
          ['client', 'binary', out],
          ['server', 'binary', back],
        ]);
        assert.equal(messages[0]?.['payload'], 'hello plaintap');
        assert.equal(messages[1]?.['payload'], 'echo:hello plaintap');
      }
    } finally {
      server.kill();
    }
  });
});

describe('--side keeps one observation of a connection seen from both ends', { skip }, () => {
  test('--side server: nginx answered, curl asked; only nginx is reported', async () => {
    const cert = makeCertificate();
    const nginx = await startNginx(cert);
    const agent = await startAgent([
      '--output',
      'json',
      '--side',
      'server',
      ...commFlags('curl', 'nginx'),
      '--metrics-address',
      'off',
    ]);
    try {
      const run = await curl(`https://127.0.0.1:${nginx.port}/hello?side`);
      assert.equal(run.code, 0, run.stderr);
      // Only this test's processes: other TLS traffic on the host may be captured too.
      const ours = (): JsonRecord[] =>
        agent
          .records()
          .filter((r) => r['kind'] === 'http1.exchange' && (r['pid'] === run.pid || r['pid'] === nginx.workerPid));
      const [server] = await waitForCount(agent, ours, 1, 'the server exchange', 15_000);
      assert.equal(server?.['side'], 'server');
      assert.equal(server?.['pid'], nginx.workerPid);
      assert.equal(server?.['request']['target'], '/hello?side');
      // curl's own exchange completed before nginx's was even read back: give it a moment anyway.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(
        ours().map((r) => r['side']),
        ['server'],
      );
      assert.ok(
        agent.records().every((r) => r['kind'] !== 'http1.exchange' || r['side'] === 'server'),
        'no client-side record at all',
      );
    } finally {
      assert.equal(await agent.stop(), 0);
      await nginx.stop();
    }
  });
});
