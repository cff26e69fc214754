/**
 * Node.js through the real kernel path. /usr/bin/node links OpenSSL statically and does TLS into
 * memory BIOs: the socket syscalls happen next to SSL_read/SSL_write, not inside them. Every
 * exchange must still carry the right fd and 5-tuple: https.get and fetch (undici) against
 * nginx, an https server answering curl, grpc-js over TLS (client and server), and 50
 * concurrent connections from one process on one event loop, each checked against the port and
 * fd Node itself reports. One test checks the records at the OTLP test receiver.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { jsonExchangesOf, waitForCount, type JsonRecord } from '../support/json-records';
import { exchangesOf as otlpExchangesOf } from '../support/otlp-records';
import { curl, localPort, runClient } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();
const NODE = '/usr/bin/node';
const REPO = path.resolve(__dirname, '..', '..', '..');
const GRPC_ECHO = path.join(REPO, 'test', 'fixtures', 'node', 'grpc-echo.js');

/** Starts a long-running node script; resolves with the first stdout line. */
async function startNodeScript(args: readonly string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`node script exited ${code}: ${err}`)));
  });
  return { child, line };
}

describe('Node.js (OpenSSL in the executable, memory BIOs)', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;
  let receiver: OtlpReceiver;

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);
  const waitExchanges = (pid: number, count: number, what: string): Promise<JsonRecord[]> =>
    waitForCount(agent, () => exchangesOf(pid), count, what);

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert, { serverDirectives: 'location /c/ { return 200 "c\\n"; }' });
    receiver = await startOtlpReceiver();
    agent = await startAgent([
      '--output',
      'json',
      ...commFlags('node', 'nginx', 'curl'),
      ...otlpFlags(receiver.endpoint),
    ]);
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    await receiver?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists /usr/bin/node as a nodejs target', () => {
    assert.match(agent.readyLine, /attached=.*\/usr\/bin\/node\[\d+\]/);
  });

  test('https.get against nginx: exchange, fd and tuple as Node reports them, both sides; OTLP attributes', async () => {
    const script = `
const https = require('https');
https.get({ host: '127.0.0.1', port: ${nginx.port}, path: '/hello?from=node', rejectUnauthorized: false }, (res) => {
  const { localPort } = res.socket;
  const fd = res.socket._handle.fd;
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => console.log(JSON.stringify({ localPort, fd, status: res.statusCode, body })));
});`;
    const run = await runClient(NODE, ['-e', script]);
    assert.equal(run.code, 0, run.stderr);
    const reported = JSON.parse(run.stdout) as { localPort: number; fd: number; status: number; body: string };
    assert.equal(reported.body, 'hello from nginx\n');
    const [client] = await waitExchanges(run.pid, 1, 'the https.get exchange');
    assert.equal(client?.['request']['method'], 'GET');
    assert.equal(client?.['request']['target'], '/hello?from=node');
    assert.equal(client?.['response']['status_code'], 200);
    assert.equal(client?.['response']['body']['size'], 17);
    assert.equal(client?.['comm'], 'node');
    assert.equal(client?.['tls_library'], 'nodejs');
    assert.equal(client?.['side'], 'client');
    assert.equal(client?.['fd'], reported.fd);
    assert.equal(client?.['src_addr'], '127.0.0.1');
    assert.equal(client?.['src_port'], reported.localPort);
    assert.equal(client?.['dst_port'], nginx.port);
    const server = await agent.waitFor(
      () => exchangesOf(nginx.workerPid).find((x) => x['dst_port'] === reported.localPort),
      20_000,
      "nginx's side",
    );
    assert.equal(server['request']['target'], '/hello?from=node');
    assert.equal(server['tls_library'], 'openssl');

    const [exported] = otlpExchangesOf(
      await receiver.waitFor((all) => otlpExchangesOf(all, run.pid).length >= 1, 20_000),
      run.pid,
    );
    assert.ok(exported);
    assert.equal(exported.attributes['plaintap.tls.library'], 'nodejs');
    assert.equal(exported.attributes['http.request.method'], 'GET');
    assert.equal(exported.attributes['url.path'], '/hello');
    assert.equal(exported.attributes['http.response.status_code'], 200);
    assert.equal(exported.attributes['network.local.port'], reported.localPort);
    assert.equal(exported.attributes['network.peer.port'], nginx.port);
    assert.equal(exported.attributes['process.executable.name'], 'node');
  });

  test('fetch (undici) against nginx', async () => {
    const script = `
fetch('https://127.0.0.1:${nginx.port}/hello?from=fetch').then(async (res) => console.log(res.status, await res.text()));`;
    const run = await runClient(NODE, ['-e', script], undefined, { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^200 hello from nginx/);
    const [client] = await waitExchanges(run.pid, 1, 'the fetch exchange');
    assert.equal(client?.['request']['method'], 'GET');
    assert.equal(client?.['request']['target'], '/hello?from=fetch');
    assert.equal(client?.['response']['status_code'], 200);
    assert.equal(client?.['dst_port'], nginx.port);
    const server = await agent.waitFor(
      () => exchangesOf(nginx.workerPid).find((x) => x['request']['target'] === '/hello?from=fetch'),
      20_000,
      "nginx's side of fetch",
    );
    assert.equal(server['dst_port'], client?.['src_port'], 'the same connection seen from both ends');
    assert.ok(client?.['fd'] >= 3);
  });

  test('an https server answering curl: the server side with its own tuple', async () => {
    const script = `
const fs = require('fs');
const https = require('https');
const server = https.createServer({ key: fs.readFileSync('${cert.keyFile}'), cert: fs.readFileSync('${cert.certFile}') }, (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 16 });
  res.end('hello from node\\n');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
    const { child, line } = await startNodeScript(['-e', script]);
    try {
      const port = Number(line);
      const run = await curl(`https://127.0.0.1:${port}/a`, ['-o', '/dev/null', `https://127.0.0.1:${port}/b`]);
      assert.equal(run.code, 0, run.stderr);
      const curlPort = localPort(run);
      const server = await waitExchanges(child.pid ?? 0, 2, 'the node server exchanges');
      assert.deepEqual(
        server.map((x) => [x['request']['target'], x['response']['status_code'], x['side']]),
        [
          ['/a', 200, 'server'],
          ['/b', 200, 'server'],
        ],
      );
      for (const x of server) {
        assert.equal(x['src_port'], port);
        assert.equal(x['dst_port'], curlPort);
        assert.equal(x['tls_library'], 'nodejs');
        assert.equal(x['fd'], server[0]?.['fd']);
        assert.equal(x['response']['body']['size'], 16);
      }
    } finally {
      child.kill();
    }
  });

  test('grpc-js over TLS: client and server records on the same connection', async () => {
    const { child: server, line } = await startNodeScript([GRPC_ECHO, 'server', cert.certFile, cert.keyFile]);
    try {
      const port = Number(line);
      const run = await runClient(NODE, [GRPC_ECHO, 'client', String(port), cert.certFile, 'ping-from-grpc']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), 'echo: ping-from-grpc');
      // gRPC is HTTP/2: one exchange per call on each side, whose tuples mirror each other.
      const isCall = (r: JsonRecord): boolean =>
        r['kind'] === 'http2.exchange' && r['request']?.['target'] === '/plaintap.Echo/Say';
      const client = await agent.waitFor(
        () => agent.records().find((r) => r['pid'] === run.pid && isCall(r)),
        20_000,
        'the grpc call on the client',
      );
      assert.equal(client['dst_port'], port);
      assert.equal(client['tls_library'], 'nodejs');
      assert.equal(client['side'], 'client');
      assert.equal(client['request']['method'], 'POST');
      assert.ok(client['fd'] >= 3);
      const serverSide = await agent.waitFor(
        () => agent.records().find((r) => r['pid'] === server.pid && isCall(r) && r['dst_port'] === client['src_port']),
        20_000,
        'the grpc call on the server',
      );
      assert.equal(serverSide['src_port'], port);
      assert.equal(serverSide['side'], 'server');
      assert.equal(serverSide['tls_library'], 'nodejs');
    } finally {
      server.kill();
    }
  });

  test('50 concurrent connections in one process: every exchange on its own connection, none mislabelled', async () => {
    const count = 50;
    const script = `
const https = require('https');
const agent = new https.Agent({ keepAlive: false, maxSockets: ${count} });
const results = [];
let done = 0;
for (let i = 0; i < ${count}; i++) {
  https.get({ host: '127.0.0.1', port: ${nginx.port}, path: '/c/' + i, agent, rejectUnauthorized: false }, (res) => {
    results[i] = { port: res.socket.localPort, fd: res.socket._handle.fd };
    res.resume();
    res.on('end', () => { if (++done === ${count}) console.log(JSON.stringify(results)); });
  });
}`;
    const run = await runClient(NODE, ['-e', script]);
    assert.equal(run.code, 0, run.stderr);
    const reported = JSON.parse(run.stdout) as { port: number; fd: number }[];
    assert.equal(new Set(reported.map((r) => r.port)).size, count, 'distinct connections');
    const exchanges = await waitExchanges(run.pid, count, `${count} exchanges`);
    assert.equal(exchanges.length, count);
    for (const x of exchanges) {
      assert.ok(x['request'] && x['response'], `a whole exchange: ${JSON.stringify(x).slice(0, 600)}`);
      const i = Number(/^\/c\/(\d+)$/.exec(x['request']['target'])?.[1]);
      const expected = reported[i];
      assert.ok(expected, `exchange for ${x['request']['target']}`);
      assert.equal(x['src_port'], expected.port, `tuple of /c/${i}`);
      assert.equal(x['fd'], expected.fd, `fd of /c/${i}`);
      assert.equal(x['dst_port'], nginx.port);
      assert.equal(x['response']['status_code'], 200);
    }
    // nginx saw each request on the connection Node says it used.
    await agent.waitFor(
      () =>
        reported.every((r, i) =>
          exchangesOf(nginx.workerPid).some((x) => x['dst_port'] === r.port && x['request']['target'] === `/c/${i}`),
        )
          ? true
          : undefined,
      20_000,
      "nginx's side of the 50 connections",
    );
  });
});
