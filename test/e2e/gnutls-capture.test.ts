/**
 * GnuTLS (libgnutls.so.30) through the real kernel path: Debian's wget and gnutls-cli against
 * nginx over HTTP/1.1, and gnutls-serv answering curl. Both ends of each connection are on the
 * host: the GnuTLS side's tuple must be the mirror of the other side's. wget is short-lived and
 * started after `ready` (captured from its first request: libgnutls is probed since start).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonExchangesOf, type JsonRecord } from '../support/json-records';
import { curl, localPort, runClient } from '../support/clients';
import { freePort } from '../support/free-port';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

describe('GnuTLS capture through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);
  const waitExchange = (pid: number, what: string): Promise<JsonRecord> =>
    agent.waitFor(() => exchangesOf(pid).find((x) => x['complete']), 20_000, what);
  const nginxSide = (clientPort: number): Promise<JsonRecord> =>
    agent.waitFor(
      () => exchangesOf(nginx.workerPid).find((x) => x['dst_port'] === clientPort),
      20_000,
      `nginx's side of port ${clientPort}`,
    );

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
    agent = await startAgent(['--output', 'json', ...commFlags('wget', 'gnutls-cli', 'gnutls-serv', 'nginx', 'curl')]);
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists libgnutls', () => {
    assert.match(agent.readyLine, /attached=.*libgnutls\.so[.\d]*\[\d+\]/);
  });

  test('wget (short-lived, after ready) against nginx: exchange, tuple mirrored by nginx', async () => {
    const run = await runClient('wget', [
      '-q',
      '-O',
      '-',
      '--no-check-certificate',
      `https://127.0.0.1:${nginx.port}/hello?from=wget`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello from nginx\n');
    const client = await waitExchange(run.pid, "wget's exchange");
    assert.equal(client['request']['method'], 'GET');
    assert.equal(client['request']['target'], '/hello?from=wget');
    assert.equal(client['response']['status_code'], 200);
    assert.equal(client['response']['body']['size'], 17);
    assert.equal(client['comm'], 'wget');
    assert.equal(client['tls_library'], 'gnutls');
    assert.equal(client['side'], 'client');
    assert.equal(client['dst_port'], nginx.port);
    assert.ok(client['fd'] >= 3);
    const server = await nginxSide(client['src_port']);
    assert.equal(server['request']['target'], '/hello?from=wget');
    assert.equal(server['src_port'], nginx.port);
  });

  test('gnutls-cli against nginx', async () => {
    const request = `GET /hello?from=gnutls-cli HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    // stdin stays open until the response is printed: at EOF gnutls-cli ends the session.
    const child = spawn('gnutls-cli', ['--insecure', '-p', String(nginx.port), '127.0.0.1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.write(request);
    await agent.waitFor(() => (stdout.includes('hello from nginx') ? true : undefined), 20_000, 'the response');
    child.stdin.end();
    await exited;
    const run = { pid: child.pid ?? 0 };
    const client = await waitExchange(run.pid, "gnutls-cli's exchange");
    assert.equal(client['request']['target'], '/hello?from=gnutls-cli');
    assert.equal(client['response']['status_code'], 200);
    assert.equal(client['tls_library'], 'gnutls');
    assert.equal(client['comm'], 'gnutls-cli');
    const server = await nginxSide(client['src_port']);
    assert.equal(server['request']['target'], '/hello?from=gnutls-cli');
  });

  test('gnutls-serv answering curl: the server side with its own tuple', async () => {
    const port = await freePort();
    const server = spawn(
      'gnutls-serv',
      ['--http', '-p', String(port), '--x509certfile', cert.certFile, '--x509keyfile', cert.keyFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let run = await curl(`https://127.0.0.1:${port}/from-curl`);
      // gnutls-serv listens a moment after it starts: retry until it answers (a condition).
      for (let i = 0; i < 100 && run.code === 7; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        run = await curl(`https://127.0.0.1:${port}/from-curl`);
      }
      assert.equal(run.code, 0, run.stderr);
      const curlPort = localPort(run);
      const x = await agent.waitFor(
        () => exchangesOf(server.pid ?? 0).find((e) => e['dst_port'] === curlPort),
        20_000,
        "gnutls-serv's exchange",
      );
      assert.equal(x['side'], 'server');
      assert.equal(x['request']['method'], 'GET');
      assert.equal(x['request']['target'], '/from-curl');
      assert.equal(x['response']['status_code'], 200);
      assert.equal(x['src_port'], port);
      assert.equal(x['tls_library'], 'gnutls');
      assert.equal(x['comm'], 'gnutls-serv');
      const client = await waitExchange(run.pid, "curl's side");
      assert.equal(client['src_port'], curlPort);
    } finally {
      server.kill();
    }
  });
});
