/**
 * `plaintap keylog FILE` and `--pcapng FILE` against real clients and Debian's nginx: the key log
 * decrypts an independent capture (tcpdump -i lo) in tshark, the pcapng decrypts in tshark with
 * no key file, and only the chosen processes' packets are in it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commFlags } from '../support/agent-flags';
import { runAgentToExit, startAgent } from '../support/agent-process';
import { curl, runClient, PYTHON } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

/** The values of `field` in the packets `filter` selects, one per line (tshark as root is fine here). */
function tshark(file: string, filter: string, field: string, extra: readonly string[] = []): string[] {
  const output = execFileSync('tshark', ['-r', file, ...extra, '-Y', filter, '-T', 'fields', '-e', field], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return output.split('\n').filter((line) => line !== '');
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** tcpdump on lo for one port, ready once it says it is listening. */
async function startTcpdump(port: number, file: string): Promise<{ stop: () => Promise<void> }> {
  const child: ChildProcess = spawn('tcpdump', ['-i', 'lo', '-U', '-w', file, 'tcp', 'port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await waitUntil(() => err.includes('listening on') || child.exitCode !== null, 'tcpdump to listen');
  if (child.exitCode !== null) throw new Error(`tcpdump exited: ${err}`);
  return {
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

const PYTHON_GET = `
import ssl, sys, urllib.request
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
print(urllib.request.urlopen(sys.argv[1], context=context).read().decode())
`;

describe('key log file and pcapng', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let keylog: string;
  let pcapng: string;
  let independent: string;
  let readyLine = '';
  let agentStderr = '';
  const paths = { tls12: '/hello?tls12', tls13: '/hello?tls13', python: '/hello?python', h2: '/hello?h2' };

  before(async () => {
    cert = makeCertificate();
    // nginx 1.22 offers TLS 1.3 only when asked (1.23.4 made it a default).
    nginx = await startNginx(cert, { http2: true, httpDirectives: 'ssl_protocols TLSv1.2 TLSv1.3;' });
    keylog = path.join(cert.dir, 'keys.log');
    pcapng = path.join(cert.dir, 'capture.pcapng');
    independent = path.join(cert.dir, 'tcpdump.pcap');
    const tcpdump = await startTcpdump(nginx.port, independent);
    const agent = await startAgent([
      'keylog',
      keylog,
      '--pcapng',
      pcapng,
      '--pcap-interface',
      'lo',
      ...commFlags('curl', 'python3'),
    ]);
    readyLine = agent.readyLine;
    const base = `https://127.0.0.1:${nginx.port}`;
    assert.equal((await curl(base + paths.tls12, ['--tls-max', '1.2'])).code, 0);
    assert.equal((await curl(base + paths.tls13, ['--tlsv1.3'])).code, 0);
    const python = await runClient(PYTHON, ['-c', PYTHON_GET, base + paths.python]);
    assert.equal(python.code, 0, python.stderr);
    const h2 = await runClient('curl', ['-sk', '--http2', '-o', '/dev/null', base + paths.h2]);
    assert.equal(h2.code, 0, h2.stderr);
    // Not captured (comm "openssl"): its packets must not be in the pcapng.
    const other = await runClient(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${nginx.port}`, '-quiet', '-no_ign_eof'],
      'GET /hello?not-captured HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.equal(other.code, 0, other.stderr);
    // Each session's lines once: one TLS 1.2 session, three TLS 1.3 ones.
    const count = (label: string): number =>
      (fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8') : '')
        .split('\n')
        .filter((l) => l.startsWith(label + ' ')).length;
    await waitUntil(() => count('CLIENT_RANDOM') >= 1 && count('CLIENT_TRAFFIC_SECRET_0') >= 3, 'the key lines');
    assert.equal(await agent.stop(), 0);
    agentStderr = agent.stderr();
    await tcpdump.stop();
  });

  after(async () => {
    await nginx?.stop();
  });

  test('the ready line and stderr say where the secrets go', () => {
    assert.match(readyLine, new RegExp(` keylog=${keylog.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    assert.match(readyLine, / pcapng=\S+ interfaces=lo /);
    assert.match(readyLine, / secrets_from=openssl-3\.0 \(3\.0\.\d+\)\[\d+\]/);
    assert.match(agentStderr, /warn writing TLS secrets to the key log .* \(0600\)/);
    assert.match(agentStderr, /warn writing packets with their TLS secrets embedded to .* \(0600\)/);
  });

  test('both files are 0600', () => {
    assert.equal(fs.statSync(keylog).mode & 0o777, 0o600);
    assert.equal(fs.statSync(pcapng).mode & 0o777, 0o600);
  });

  test('the key log has each session once, in the NSS format', () => {
    const lines = fs.readFileSync(keylog, 'utf8').trim().split('\n');
    for (const line of lines)
      assert.match(
        line,
        /^(CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}|(CLIENT|SERVER)_(HANDSHAKE_TRAFFIC_SECRET|TRAFFIC_SECRET_0) [0-9a-f]{64} [0-9a-f]{64,96}|EXPORTER_SECRET [0-9a-f]{64} [0-9a-f]{64,96})$/,
      );
    assert.equal(new Set(lines).size, lines.length);
    const randoms13 = new Set(lines.filter((l) => l.startsWith('EXPORTER_SECRET')).map((l) => l.split(' ')[1]));
    assert.ok(randoms13.size >= 3, `three TLS 1.3 sessions, got ${randoms13.size}`);
    for (const random of randoms13)
      for (const label of [
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'SERVER_HANDSHAKE_TRAFFIC_SECRET',
        'CLIENT_TRAFFIC_SECRET_0',
        'SERVER_TRAFFIC_SECRET_0',
      ])
        assert.ok(
          lines.some((l) => l.startsWith(`${label} ${random} `)),
          `${label} of ${random}`,
        );
  });

  test('the key log decrypts an independent tcpdump capture in tshark (TLS 1.2 and 1.3, HTTP/1.1 and HTTP/2)', () => {
    const keyOption = ['-o', `tls.keylog_file:${keylog}`];
    const uris = tshark(independent, 'http.request', 'http.request.uri', keyOption);
    for (const p of [paths.tls12, paths.tls13, paths.python]) assert.ok(uris.includes(p), `${p} in ${uris.join(' ')}`);
    const h2 = tshark(independent, 'http2.headers.path', 'http2.headers.path', keyOption);
    assert.ok(h2.includes(paths.h2), `${paths.h2} in ${h2.join(' ')}`);
    // Without the key log nothing is readable: the decryption is the key log's doing.
    assert.deepEqual(tshark(independent, 'http.request', 'http.request.uri'), []);
  });

  test('the pcapng decrypts in tshark with no key file, and capinfos accepts it', () => {
    execFileSync('capinfos', [pcapng], { stdio: 'ignore' });
    const uris = tshark(pcapng, 'http.request', 'http.request.uri');
    for (const p of [paths.tls12, paths.tls13, paths.python]) assert.ok(uris.includes(p), `${p} in ${uris.join(' ')}`);
    const h2 = tshark(pcapng, 'http2.headers.path', 'http2.headers.path');
    assert.ok(h2.includes(paths.h2), `${paths.h2} in ${h2.join(' ')}`);
    assert.ok(uris.every((uri) => !uri.includes('not-captured')));
  });

  test('only the chosen processes are in the pcapng, each packet commented with its process', () => {
    const comments = tshark(pcapng, 'frame', 'frame.comment');
    assert.ok(comments.length > 0);
    for (const comment of comments) assert.match(comment, /^pid=\d+ comm=(curl|python3)$/);
    assert.ok(comments.some((c) => c.endsWith('comm=python3')));
    // The openssl s_client connection is in the independent capture but not in plaintap's file.
    const ours = new Set(tshark(pcapng, 'tcp', 'tcp.srcport').concat(tshark(pcapng, 'tcp', 'tcp.dstport')));
    const all = new Set(tshark(independent, 'tcp', 'tcp.srcport'));
    const missing = [...all].filter((port) => !ours.has(port));
    assert.ok(missing.length >= 1, 'the uncaptured client is absent');
  });

  test('plaintap pcap FILE --pid: only that process, decrypted with no key file', async () => {
    const file = path.join(cert.dir, 'one-process.pcapng');
    const base = `https://127.0.0.1:${nginx.port}`;
    // Waits for a line on stdin before its request, so that the agent can start with its pid.
    const waiting = spawn(PYTHON, ['-c', `import sys\nsys.stdin.readline()\n${PYTHON_GET}`, base + '/hello?by-pid'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => waiting.once('exit', resolve));
    const agent = await startAgent(['pcap', file, '--pid', String(waiting.pid), '--pcap-interface', 'lo']);
    assert.match(agent.readyLine, / pcapng=\S+ interfaces=lo /);
    assert.equal((await curl(`${base}/hello?other-process`)).code, 0);
    waiting.stdin?.end('go\n');
    assert.equal(await exited, 0);
    // The session's Decryption Secrets Block (secrets type TLSK, little-endian) is written as soon as
    // its handshake is done; the held packets are written at stop.
    await agent.waitFor(
      () => (fs.readFileSync(file).includes(Buffer.from('KSLT', 'latin1')) ? true : undefined),
      15_000,
      'the secrets block',
    );
    assert.equal(await agent.stop(), 0);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const uris = tshark(file, 'http.request', 'http.request.uri');
    assert.deepEqual(uris, ['/hello?by-pid']);
    const comments = new Set(tshark(file, 'frame', 'frame.comment'));
    assert.deepEqual([...comments], [`pid=${waiting.pid} comm=python3`]);
  });

  test('an existing file that is not 0600 is refused; one that is 0600 is appended to', async () => {
    const loose = path.join(cert.dir, 'loose.log');
    fs.writeFileSync(loose, '', { mode: 0o644 });
    fs.chmodSync(loose, 0o644);
    const refused = await runAgentToExit(['keylog', loose, '--comm', 'curl']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /refusing to append TLS secrets to the existing key log file .*loose\.log: its mode is 0644, not 0600/,
    );
    const before = fs.readFileSync(keylog, 'utf8');
    const agent = await startAgent(['keylog', keylog, '--comm', 'curl']);
    assert.match(agent.stderr(), /\(0600, appending\)/);
    assert.equal((await curl(`https://127.0.0.1:${nginx.port}/hello?again`)).code, 0);
    await agent.waitFor(
      () => (fs.readFileSync(keylog, 'utf8').length > before.length ? true : undefined),
      15_000,
      'new key lines',
    );
    assert.equal(await agent.stop(), 0);
    assert.ok(fs.readFileSync(keylog, 'utf8').startsWith(before));
  });
});
