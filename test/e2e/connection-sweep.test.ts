/**
 * No worker outlives its connection when the close record is lost. A python3 client (its comm
 * set to one the agent alone captures, so only this test's connections count) opens 10,000 TLS
 * connections to nginx in batches, one request each; while the agent is stopped (SIGSTOP) it
 * closes a batch at once, so the close records overflow the agent's 64 KiB ring and most are
 * lost (counted as kernel losses). The connection sweep must bring plaintap_connection_workers
 * back to 0 within two sweeps after the last batch, closing those workers as `swept`. And a
 * process killed in the middle of a POST leaves no worker behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { commFlags } from '../support/agent-flags';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { metricsBase } from '../support/agent-metrics';
import { PYTHON } from '../support/clients';
import { httpGet, sampleValue } from '../support/http-get';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

/** The kernel comm of this test's clients (at most 15 bytes): the agent captures nothing else. */
const COMM = 'pt-sweep-test';
const BATCHES = 5;
const BATCH = 2000;

/**
 * A line-driven TLS client: `open N` opens N connections (one GET /hello each, answer read);
 * `close` closes them all at once; `post` starts a POST whose body never comes.
 */
const CLIENT = `
import ctypes, resource, socket, ssl, sys
ctypes.CDLL(None).prctl(15, ${JSON.stringify(COMM)}.encode(), 0, 0, 0)  # PR_SET_NAME
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def connect():
    return ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)))
live, opened = [], 0
for line in sys.stdin:
    command = line.split()
    if command[0] == 'open':
        for _ in range(int(command[1])):
            s = connect()
            s.sendall(b'GET /hello?sweep=%d HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' % opened)
            answer = b''
            while not answer.endswith(b'hello from nginx\\n'):
                chunk = s.recv(4096)
                if not chunk:
                    raise SystemExit('connection closed early')
                answer += chunk
            live.append(s)
            opened += 1
        print('opened', opened, flush=True)
    elif command[0] == 'close':
        for s in live:
            s.close()
        live = []
        print('closed', flush=True)
    elif command[0] == 'post':
        s = connect()
        s.sendall(b'POST /upload HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 100000\\r\\n\\r\\n' + b'x' * 100)
        live.append(s)
        print('posted', flush=True)
`;

/** One python3 client process, driven line by line. */
class Client {
  readonly child: ChildProcess;
  private out = '';
  private err = '';

  constructor(port: number) {
    this.child = spawn(PYTHON, ['-c', CLIENT, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.err += chunk.toString()));
  }

  /** Sends `command` and waits for the line it answers with (matching `answer`). */
  async run(command: string, answer: RegExp, timeoutMs = 120_000): Promise<void> {
    const from = this.out.length;
    this.child.stdin?.write(`${command}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!answer.test(this.out.slice(from))) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`client: no answer to ${command} (exit ${this.child.exitCode}): ${this.err}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async end(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

describe('connection sweep', { skip }, () => {
  let nginx: NginxServer;
  let agent: AgentProcess;
  let metricsUrl: string;

  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    sampleValue((await httpGet(metricsUrl)).body, name, labels) ?? NaN;
  /** Polls `read` until `done` (no fixed sleeps); returns the last value. */
  const waitUntil = async (
    read: () => Promise<number>,
    done: (v: number) => boolean,
    what: string,
  ): Promise<number> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last ${value})\n${agent.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const workers = (): Promise<number> => metric('plaintap_connection_workers');

  before(async () => {
    nginx = await startNginx(makeCertificate(), { workerConnections: BATCH + 1024 });
    agent = await startAgent([
      ...commFlags(COMM),
      '--ring-buffer-size',
      '64KiB',
      '--sweep-interval',
      '1s',
      '--output',
      'none',
      '--metrics-address',
      '127.0.0.1:0',
    ]);
    metricsUrl = `${metricsBase(agent)}/metrics`;
  });
  after(async () => {
    if (agent) process.kill(agent.child.pid ?? 0, 'SIGCONT');
    await agent?.stop();
    await nginx?.stop();
  });

  test(`${BATCHES * BATCH} connections whose close records were lost: workers back to 0 within two sweeps`, async (t) => {
    const client = new Client(nginx.port);
    const agentPid = agent.child.pid ?? 0;
    try {
      for (let batch = 1; batch <= BATCHES; batch++) {
        await client.run(`open ${BATCH}`, /^opened \d+$/m);
        // Every exchange of the batch processed: its workers exist and have seen all their data.
        await waitUntil(
          () => metric('plaintap_exchanges_total', { protocol: 'http1', completeness: 'complete' }),
          (n) => n >= batch * BATCH,
          `the exchanges of batch ${batch}`,
        );
        assert.ok((await workers()) >= BATCH, 'one worker per open connection');
        // The agent stopped: the batch's close records overflow the ring.
        process.kill(agentPid, 'SIGSTOP');
        try {
          await client.run('close', /^closed$/m);
        } finally {
          process.kill(agentPid, 'SIGCONT');
        }
      }
      // From here only close records can still arrive (the ring's backlog): no new workers.
      const sweepsAtEnd = await metric('plaintap_connection_sweeps_total');
      await waitUntil(workers, (n) => n === 0, 'no workers');
      const sweeps = (await metric('plaintap_connection_sweeps_total')) - sweepsAtEnd;
      assert.ok(sweeps <= 2, `workers back to 0 after ${sweeps} sweeps`);
      const lost = await metric('plaintap_kernel_lost_samples_total');
      const swept = await metric('plaintap_connection_workers_closed_total', { reason: 'swept' });
      assert.ok(lost > 0, 'close records were lost');
      assert.ok(swept > 0, 'the sweep closed the connections whose close was lost');
      assert.equal(await metric('plaintap_connection_workers_opened_total'), BATCHES * BATCH);
      t.diagnostic(`kernel lost ${lost}, swept ${swept}, back to 0 after ${sweeps} sweeps`);
    } finally {
      await client.end();
    }
  });

  test('a process killed in the middle of a POST leaves no worker', async (t) => {
    const incompleteBefore = await metric('plaintap_exchanges_total', {
      protocol: 'http1',
      completeness: 'incomplete',
    });
    const opened = await metric('plaintap_connection_workers_opened_total');
    const client = new Client(nginx.port);
    try {
      await client.run('post', /^posted$/m);
      await waitUntil(
        () => metric('plaintap_connection_workers_opened_total'),
        (n) => n > opened,
        'its worker',
      );
      await client.end('SIGKILL');
      await waitUntil(workers, (n) => n === 0, 'no workers');
      // Its worker closed with the unanswered POST: reported incomplete.
      await waitUntil(
        () => metric('plaintap_exchanges_total', { protocol: 'http1', completeness: 'incomplete' }),
        (n) => n > incompleteBefore,
        'the POST reported incomplete',
      );
      const closed = (await httpGet(metricsUrl)).body.match(/^plaintap_connection_workers_closed_total.*$/gm);
      t.diagnostic((closed ?? []).join(', '));
    } finally {
      await client.end('SIGKILL');
    }
  });
});
