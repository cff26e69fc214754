/**
 * The walking skeleton end to end: the real agent (eBPF programs loaded into
 * this kernel) captures real curl, python3 and nginx TLS traffic on
 * 127.0.0.1, and its output carries the right plaintext, pid, comm, fd and
 * tuple; a closed connection closes its worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { payloadText, type JsonRecord } from '../support/json-records';
import { PYTHON, curl, localPort, runClient } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

describe('OpenSSL capture through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess;

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
    agent = await startAgent([
      '--raw',
      '--output',
      'json',
      '--log-level',
      'debug',
      ...commFlags('curl', 'nginx', 'python3'),
    ]);
  });

  after(async () => {
    const code = await agent?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists the attached OpenSSL library and tracepoints', () => {
    assert.match(agent.readyLine, /^ready attached=.*libssl\.so[.\d]*\[\d+\]/);
    assert.match(agent.readyLine, /kernel\[\d+\]/);
  });

  test('curl and nginx: both sides of one connection, with pid, comm, fd and tuple', async () => {
    const run = await curl(`https://127.0.0.1:${nginx.port}/hello`);
    assert.equal(run.code, 0, run.stderr);
    const curlPort = localPort(run);
    const forCurl = (r: JsonRecord): boolean => r['pid'] === run.pid;
    const forNginx = (r: JsonRecord): boolean => r['pid'] === nginx.workerPid && r['dst_port'] === curlPort;

    const curlRequest = await agent.waitFor(
      () => agent.records().find((r) => forCurl(r) && r['direction'] === 'egress'),
      10_000,
      'curl request',
    );
    const curlResponse = await agent.waitFor(
      () => agent.records().find((r) => forCurl(r) && r['direction'] === 'ingress'),
      10_000,
      'curl response',
    );
    const nginxRequest = await agent.waitFor(
      () => agent.records().find((r) => forNginx(r) && r['direction'] === 'ingress'),
      10_000,
      'nginx request',
    );
    const nginxResponse = await agent.waitFor(
      () => agent.records().find((r) => forNginx(r) && r['direction'] === 'egress'),
      10_000,
      'nginx response',
    );

    assert.match(payloadText(curlRequest), /^GET \/hello HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    assert.match(payloadText(curlResponse), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello from nginx\n$/);
    assert.equal(payloadText(nginxRequest), payloadText(curlRequest), 'nginx read what curl wrote');
    assert.equal(payloadText(nginxResponse), payloadText(curlResponse), 'curl read what nginx wrote');

    for (const record of [curlRequest, curlResponse]) {
      assert.equal(record['comm'], 'curl');
      assert.equal(record['src_addr'], '127.0.0.1');
      assert.equal(record['src_port'], curlPort);
      assert.equal(record['dst_addr'], '127.0.0.1');
      assert.equal(record['dst_port'], nginx.port);
      assert.equal(record['tls_library'], 'openssl');
      assert.equal(record['fd'], curlRequest['fd']);
      assert.ok((record['fd'] as number) >= 3, 'a real fd');
    }
    for (const record of [nginxRequest, nginxResponse]) {
      assert.equal(record['comm'], 'nginx');
      assert.equal(record['src_port'], nginx.port);
      assert.equal(record['dst_port'], curlPort);
      assert.equal(record['fd'], nginxRequest['fd']);
      assert.ok((record['fd'] as number) >= 3);
    }

    // curl closed its socket: its connection worker closes on the kernel's close record.
    await agent.waitFor(
      () =>
        agent
          .stderr()
          .split('\n')
          .find(
            (l) =>
              l.startsWith('debug worker closed') &&
              l.includes(`pid=${run.pid} `) &&
              /reason=(fd-closed|socket-destroyed)/.test(l),
          ),
      10_000,
      "curl's worker closing",
    );
  });

  test('python3 (SSL_read_ex / SSL_write_ex): the fd and port python reports are the ones captured', async () => {
    const script = `
import http.client, ssl, sys
ctx = ssl._create_unverified_context()
conn = http.client.HTTPSConnection('127.0.0.1', ${nginx.port}, context=ctx)
conn.connect()
print(conn.sock.fileno(), conn.sock.getsockname()[1], flush=True)
conn.request('GET', '/hello?from=python')
body = conn.getresponse().read()
assert body == b'hello from nginx\\n', body
conn.close()
`;
    const run = await runClient(PYTHON, ['-c', script]);
    assert.equal(run.code, 0, run.stderr);
    const [fd, port] = run.stdout.trim().split(' ').map(Number);
    const request = await agent.waitFor(
      () => agent.records().find((r) => r['pid'] === run.pid && r['direction'] === 'egress'),
      10_000,
      'python request',
    );
    const response = await agent.waitFor(
      () => agent.records().find((r) => r['pid'] === run.pid && r['direction'] === 'ingress'),
      10_000,
      'python response',
    );
    assert.match(payloadText(request), /^GET \/hello\?from=python HTTP\/1\.1\r\n/);
    assert.match(payloadText(response), /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(request['comm'], 'python3');
    assert.equal(request['fd'], fd);
    assert.equal(response['fd'], fd);
    assert.equal(request['src_port'], port);
    assert.equal(request['dst_port'], nginx.port);
  });

  test('python3 urllib', async () => {
    const script = `
import ssl, urllib.request
ctx = ssl._create_unverified_context()
print(urllib.request.urlopen('https://127.0.0.1:${nginx.port}/hello?from=urllib', context=ctx).read().decode(), end='')
`;
    const run = await runClient(PYTHON, ['-c', script]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hello from nginx\n');
    const request = await agent.waitFor(
      () => agent.records().find((r) => r['pid'] === run.pid && r['direction'] === 'egress'),
      10_000,
      'urllib request',
    );
    assert.match(payloadText(request), /^GET \/hello\?from=urllib HTTP\/1\.1\r\n/);
    assert.match(payloadText(request), /User-Agent: Python-urllib/);
    await agent.waitFor(
      () =>
        agent
          .records()
          .find((r) => r['pid'] === run.pid && r['direction'] === 'ingress' && /hello from nginx/.test(payloadText(r))),
      10_000,
      'urllib response',
    );
  });
});
