/**
 * Issue 16 end to end, against nginx through the real kernel path:
 *
 *  - Detection that recovers: a python3 client holds a keep-alive connection in the middle of a
 *    1 MiB response when the agent starts; the agent first sees the rest of that body (no
 *    message start: raw), then the client's next requests on the same connection come out as
 *    complete HTTP/1 exchanges, and plaintap_protocol_redetections_total counts it.
 *  - Strict framing from a real peer: the client sends a request with a bare CR in a header
 *    value; nginx refuses it (400) and the agent reports the exchange incomplete, `parse-error`
 *    with `parse_error: bare-cr`, counted under plaintap_parse_errors_total{reason="bare-cr"}.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { scrapeMetrics } from '../support/agent-metrics';
import { sampleValue } from '../support/http-get';
import { jsonExchangesOf, waitForCount, waitForJsonExchange, type JsonRecord } from '../support/json-records';
import { PYTHON, runClient } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

/**
 * A keep-alive client driven line by line on stdin: `start` sends GET /big.bin and reads only its
 * head and a little of its body; `rest` reads the body to its end; `get PATH` makes a whole
 * request on the same connection. Each command answers one line on stdout.
 */
const KEEP_ALIVE_CLIENT = String.raw`
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
tls = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)))
buf = b''
def head():
    global buf
    while b'\r\n\r\n' not in buf: buf += tls.recv(65536)
    h, _, buf = buf.partition(b'\r\n\r\n')
    length = [int(l.split(b':')[1]) for l in h.split(b'\r\n') if l.lower().startswith(b'content-length')][0]
    return h.split(b'\r\n')[0].decode(), length
def body(length):
    global buf
    while len(buf) < length: buf += tls.recv(65536)
    b, buf = buf[:length], buf[length:]
    return b
pending = 0
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'start':
        tls.sendall(b'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n')
        status, pending = head()
        while len(buf) < 1000: buf += tls.recv(1000)
        print('started', status, flush=True)
    elif cmd[0] == 'rest':
        body(pending)
        print('rest', pending, flush=True)
    elif cmd[0] == 'get':
        tls.sendall(('GET %s HTTP/1.1\r\nHost: x\r\n\r\n' % cmd[1]).encode())
        status, length = head(); body(length)
        print('got', status, flush=True)
`;

/** One request with a bare CR inside a header value, then whatever nginx answers until it closes. */
const BARE_CR_CLIENT = String.raw`
import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
tls = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))))
tls.sendall(b'GET /hello HTTP/1.1\r\nHost: x\r\nX-Evil: a\rContent-Length: 4\r\n\r\nbody')
answer = b''
while True:
    chunk = tls.recv(65536)
    if not chunk: break
    answer += chunk
print(answer.split(b'\r\n')[0].decode(), flush=True)
`;

class LineClient {
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.once('exit', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async ask(command: string): Promise<string> {
    const seen = this.lines.length;
    this.child.stdin!.write(`${command}\n`);
    while (this.lines.length <= seen) {
      if (this.child.exitCode !== null) throw new Error(`client exited before answering ${command}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.lines[seen] as string;
  }
}

describe('HTTP/1 strict framing and redetection through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let agent: AgentProcess | undefined;
  let client: ChildProcess | undefined;

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert);
  });

  after(async () => {
    client?.kill();
    const code = await agent?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('an agent started mid-response: the next requests on that connection are exchanges', async () => {
    client = spawn(PYTHON, ['-c', KEEP_ALIVE_CLIENT, String(nginx.port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const driver = new LineClient(client);
    assert.match(await driver.ask('start'), /^started HTTP\/1.1 200/);
    const pid = client.pid;
    agent = await startAgent(['--output', 'json', ...commFlags('python3')]);
    // The rest of the 1 MiB body: the agent's first bytes of this connection, no message start in them.
    assert.match(await driver.ask('rest'), /^rest \d+/);
    assert.match(await driver.ask('get /hello'), /^got HTTP\/1.1 200/);
    assert.match(await driver.ask('get /text.txt'), /^got HTTP\/1.1 200/);
    const mine = (): JsonRecord[] => jsonExchangesOf(agent!.records(), pid ?? 0).filter((r) => r['complete'] === true);
    const exchanges = await waitForCount(
      agent,
      mine,
      2,
      'two complete exchanges of the connection picked up mid-response',
    );
    assert.deepEqual(
      exchanges.map((x) => [x['request']['target'], x['response']['status_code'], x['side']]),
      [
        ['/hello', 200, 'client'],
        ['/text.txt', 200, 'client'],
      ],
    );
    // The body tail before them came out raw.
    assert.ok(agent.records().some((r) => r['kind'] === 'raw' && r['pid'] === pid));
    client.stdin?.end();
  });

  test('a bare CR sent to nginx: the refused exchange is reported with its parse error', async () => {
    assert.ok(agent, 'the agent of the previous test is running');
    const run = await runClient(PYTHON, ['-c', BARE_CR_CLIENT, String(nginx.port)]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^HTTP\/1.1 400/, 'nginx refuses the bare CR too');
    const refused = await waitForJsonExchange(agent, run.pid, 20_000, 'the exchange of the bare-CR request');
    assert.equal(refused['complete'], false);
    assert.equal(refused['incomplete_reason'], 'parse-error');
    assert.equal(refused['parse_error'], 'bare-cr');
    assert.equal(refused['response']?.['status_code'], 400);
    // Both issue-16 counters, as Prometheus sees them (other connections may add to them: at least 1).
    const text = await scrapeMetrics(agent);
    const redetections = sampleValue(text, 'plaintap_protocol_redetections_total', { protocol: 'http1' }) ?? 0;
    assert.ok(redetections >= 1, 'redetection counted');
    const bareCr = sampleValue(text, 'plaintap_parse_errors_total', { protocol: 'http1', reason: 'bare-cr' }) ?? 0;
    assert.ok(bareCr >= 1, 'bare CR counted');
  });
});
