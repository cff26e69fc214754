/**
 * Go crypto/tls end to end: Go net/http programs built by the test setup with this machine's Go
 * (and the oldest Go plaintap claims), against Debian nginx and curl on 127.0.0.1, captured by
 * the real agent without symbols (the stripped build) and without uretprobes. Each exchange is
 * checked on both sides of its connection: method, path, status, sizes, pid, comm, 5-tuple.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { pollSample, scrapeMetrics } from '../support/agent-metrics';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { curl, localPort } from '../support/clients';
import {
  GO_CLIENT_VARIANTS,
  goProgram,
  startGoClient,
  startGoServer,
  type GoClient,
  type GoProgram,
  type GoServer,
} from '../support/go-programs';
import { sampleValue } from '../support/http-get';
import { jsonExchangesOf, waitForCount, type JsonRecord } from '../support/json-records';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { exchangesOf as otlpExchangesOf } from '../support/otlp-records';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';
import { makeTempDir } from '../support/temp-dir';

const skip = kernelTestSkipReason();

describe('Go crypto/tls through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let gosrv: GoServer;
  let agent: AgentProcess;
  /** Clients started before the agent, waiting: the agent finds them by its scan of processes. */
  const waiting = new Map<string, GoClient>();
  let skippedClient: GoClient;

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);
  const waitCount = (
    find: () => JsonRecord[],
    count: number,
    what: string,
    timeoutMs = 20_000,
  ): Promise<JsonRecord[]> => waitForCount(agent, find, count, what, timeoutMs);

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert, {
      serverDirectives: 'location /n/ { return 200 "$uri\\n"; }',
    });
    gosrv = await startGoServer(cert);
    for (const variant of GO_CLIENT_VARIANTS) {
      waiting.set(
        variant,
        await startGoClient(goProgram(variant), `https://127.0.0.1:${nginx.port}/hello`, { waitStdin: true }),
      );
    }
    skippedClient = await startGoClient(goProgram('gocli-go116'), `https://127.0.0.1:${nginx.port}/hello`, {
      waitStdin: true,
    });
    agent = await startAgent([
      '--output',
      'json',
      // Bodies are off by default; the tests compare them to tell exchanges apart.
      '--body-capture',
      '4096',
      ...commFlags('gocli', 'gocli-strip', 'gocli-pie', 'gocli-static', 'gocli-go117', 'gosrv', 'nginx', 'curl'),
    ]);
  });

  after(async () => {
    for (const client of [...waiting.values(), skippedClient]) {
      if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    }
    const code = await agent?.stop();
    await gosrv?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line and plaintap_attached_targets show Go executables attached, and Go 1.16 skipped with why', async () => {
    for (const variant of GO_CLIENT_VARIANTS) {
      assert.match(agent.readyLine, new RegExp(`${goProgram(variant)}\\[\\d+\\]`), agent.readyLine);
    }
    assert.match(agent.readyLine, new RegExp(`${goProgram('gosrv')}\\[\\d+\\]`));
    assert.match(
      agent.readyLine,
      new RegExp(`skipped=.*${goProgram('gocli-go116')} \\(go: go1\\.16\\.15: Go older than 1\\.17`),
      agent.readyLine,
    );
    const text = await scrapeMetrics(agent);
    assert.ok((sampleValue(text, 'plaintap_attached_targets', { library: 'go', result: 'attached' }) ?? 0) >= 6, text);
    assert.ok((sampleValue(text, 'plaintap_attached_targets', { library: 'go', result: 'skipped' }) ?? 0) >= 1, text);
  });

  for (const variant of GO_CLIENT_VARIANTS) {
    test(`${variant} → nginx over HTTP/1.1: one exchange on each side, with fd and 5-tuple`, async () => {
      const client = waiting.get(variant);
      assert.ok(client);
      client.release();
      const run = await client.done();
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^200 17 HTTP\/1\.1$/m);
      const [mine] = await waitCount(() => exchangesOf(client.pid), 1, `${variant}'s exchange`);
      assert.ok(mine);
      assert.equal(mine['comm'], variant);
      assert.equal(mine['tls_library'], 'go');
      assert.equal(mine['side'], 'client');
      assert.equal(mine['request']['method'], 'GET');
      assert.equal(mine['request']['target'], '/hello');
      assert.equal(mine['response']['status_code'], 200);
      assert.equal(mine['response']['body']['size'], 17);
      assert.equal(mine['response']['body']['payload'], 'hello from nginx\n');
      assert.ok(mine['fd'] >= 0, `fd ${mine['fd']}`);
      assert.equal(mine['src_addr'], '127.0.0.1');
      assert.equal(mine['dst_addr'], '127.0.0.1');
      assert.equal(mine['dst_port'], nginx.port);
      assert.ok(mine['src_port'] > 0);
      // The same connection seen from nginx (OpenSSL): its peer port is the Go client's port.
      const theirs = await waitCount(
        () => exchangesOf(nginx.workerPid).filter((r) => r['dst_port'] === mine['src_port']),
        1,
        `nginx's side of ${variant}'s connection`,
      );
      assert.equal(theirs.length, 1);
      assert.equal(theirs[0]?.['request']['target'], '/hello');
      assert.equal(theirs[0]?.['side'], 'server');
      assert.equal(exchangesOf(client.pid).length, 1, 'exactly one exchange from the client');
    });
  }

  test('a Go TLS server queried by curl: one exchange on each side', async () => {
    const run = await curl(`https://127.0.0.1:${gosrv.port}/size/3000`);
    assert.equal(run.code, 0, run.stderr);
    const port = localPort(run);
    const [server] = await waitCount(
      () => exchangesOf(gosrv.pid).filter((r) => r['dst_port'] === port),
      1,
      'the Go server side',
    );
    assert.ok(server);
    assert.equal(server['comm'], 'gosrv');
    assert.equal(server['tls_library'], 'go');
    assert.equal(server['side'], 'server');
    assert.equal(server['src_port'], gosrv.port);
    assert.equal(server['request']['method'], 'GET');
    assert.equal(server['request']['target'], '/size/3000');
    assert.equal(server['response']['status_code'], 200);
    assert.equal(server['response']['body']['size'], 3000);
    const client = await waitCount(
      () => exchangesOf(run.pid).filter((r) => r['src_port'] === port),
      1,
      'the curl side',
    );
    assert.equal(client.length, 1);
    assert.equal(client[0]?.['tls_library'], 'openssl');
    assert.equal(client[0]?.['response']['body']['size'], 3000);
  });

  test('200 goroutines on many connections: every exchange once, none mixed between connections', async () => {
    const requests = 600;
    const client = await startGoClient(goProgram('gocli'), `https://127.0.0.1:${nginx.port}/n/{i}`, {
      requests,
      goroutines: 200,
    });
    const run = await client.done();
    assert.equal(run.code, 0, run.stderr);
    const completed = (): JsonRecord[] => exchangesOf(client.pid).filter((exchange) => exchange['complete'] === true);
    const mine = await waitCount(completed, requests, 'every exchange of the client', 60_000);
    assert.equal(mine.length, requests);
    const targets = new Set<string>();
    const connections = new Set<number>();
    for (const exchange of mine) {
      const target = exchange['request']['target'] as string;
      // nginx answers with the path it was asked: a response paired with another request would show.
      assert.equal(exchange['response']['body']['payload'], `${target}\n`);
      assert.ok(!targets.has(target), `${target} reported twice`);
      targets.add(target);
      connections.add(exchange['src_port'] as number);
    }
    assert.equal(targets.size, requests);
    assert.ok(connections.size > 10, `only ${connections.size} connections`);
    // Go resends an idempotent GET when nginx closes an idle keep-alive connection as it is written:
    // that first attempt really went out and is reported incomplete, never with a response.
    for (const retried of exchangesOf(client.pid).filter((exchange) => exchange['complete'] !== true)) {
      assert.equal(retried['response'], undefined, JSON.stringify(retried));
      assert.ok(targets.has(retried['request']['target'] as string), JSON.stringify(retried));
    }
  });

  test('a Go executable first run after ready is attached at its exec and captured', async () => {
    // A new file (new inode): a copy of the client under another directory.
    const dir = makeTempDir('go');
    const copy = path.join(dir, 'gocli');
    fs.copyFileSync(goProgram('gocli'), copy);
    fs.chmodSync(copy, 0o755);
    try {
      const client = await startGoClient(copy, `https://127.0.0.1:${nginx.port}/hello`, { waitStdin: true });
      await agent.waitFor(
        () =>
          agent
            .stderr()
            .split('\n')
            .find((line) => line.includes('tls target attached') && line.includes(`path=${copy} `)),
        15_000,
        'the exec watch to attach the new executable',
      );
      client.release();
      assert.equal((await client.done()).code, 0);
      const [mine] = await waitCount(() => exchangesOf(client.pid), 1, 'the new executable’s exchange');
      assert.equal(mine?.['request']['target'], '/hello');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a Go client that exits mid-request', { skip }, () => {
  let gosrv: GoServer;
  let client: GoClient;
  let agent: AgentProcess;

  before(async () => {
    // Copies under names of their own: the agent captures only this test's processes, so the
    // worker count below is theirs alone even when other programs run TLS on the host. Both run
    // before the agent, which finds them by its scan.
    const dir = makeTempDir('go-exit');
    const copy = (name: GoProgram, as: string): string => {
      const file = path.join(dir, as);
      fs.copyFileSync(goProgram(name), file);
      fs.chmodSync(file, 0o755);
      return file;
    };
    gosrv = await startGoServer(makeCertificate(), copy('gosrv', 'gosrv-stalls'));
    client = await startGoClient(copy('gocli', 'gocli-exits'), `https://127.0.0.1:${gosrv.port}/stall`, {
      waitStdin: true,
      exitAfter: '1s',
    });
    agent = await startAgent(['--output', 'json', ...commFlags('gocli-exits', 'gosrv-stalls')]);
  });

  after(async () => {
    if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    const code = await agent?.stop();
    await gosrv?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('reported incomplete, no worker left behind', async () => {
    client.release();
    await client.done();
    const [mine] = await waitForCount(
      agent,
      () => jsonExchangesOf(agent.records(), client.pid),
      1,
      'the unanswered request',
    );
    assert.equal(mine?.['request']['target'], '/stall');
    assert.equal(mine?.['complete'], false);
    const workers = await pollSample(agent, 'plaintap_connection_workers', {}, (value) => value === 0, 20_000);
    assert.equal(workers, 0, 'connection workers still alive');
  });
});

describe('Go processes with --pid and --side, exported over OTLP', { skip }, () => {
  let cert: Certificate;
  let gosrv: GoServer;
  let agent: AgentProcess;
  let receiver: OtlpReceiver;
  let chosen: GoClient;
  let other: GoClient;

  before(async () => {
    cert = makeCertificate();
    gosrv = await startGoServer(cert);
    const url = `https://127.0.0.1:${gosrv.port}/hello`;
    chosen = await startGoClient(goProgram('gocli-strip'), url, { waitStdin: true });
    other = await startGoClient(goProgram('gocli-strip'), url, { waitStdin: true });
    receiver = await startOtlpReceiver();
    agent = await startAgent([
      '--output',
      'json',
      '--pid',
      String(chosen.pid),
      '--side',
      'client',
      ...otlpFlags(receiver.endpoint),
    ]);
  });

  after(async () => {
    for (const client of [chosen, other]) if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    const code = await agent?.stop();
    await receiver?.stop();
    await gosrv?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('only the chosen process, only its client side; probes placed in that process only', async () => {
    assert.match(agent.readyLine, new RegExp(`${goProgram('gocli-strip')}@${chosen.pid}\\[\\d+\\]`), agent.readyLine);
    other.release();
    assert.equal((await other.done()).code, 0);
    chosen.release();
    assert.equal((await chosen.done()).code, 0);
    const exchanges = (): JsonRecord[] => agent.records().filter((r) => r['kind'] === 'http1.exchange');
    const [mine] = await waitForCount(agent, exchanges, 1, 'the chosen client’s exchange');
    assert.equal(mine?.['pid'], chosen.pid);
    assert.equal(mine?.['side'], 'client');
    assert.equal(mine?.['request']['target'], '/hello');
    // The other client ran first: had it been captured, its records would be here already.
    assert.deepEqual(
      exchanges().map((r) => r['pid']),
      [chosen.pid],
    );
    // The same exchange at the OTLP receiver, with the Go library and the tuple.
    const records = await receiver.waitFor((all) => otlpExchangesOf(all, chosen.pid).length >= 1, 20_000);
    const record = records.find((r) => r.attributes['process.pid'] === chosen.pid);
    assert.ok(record);
    assert.equal(record.attributes['plaintap.tls.library'], 'go');
    assert.equal(record.attributes['http.request.method'], 'GET');
    assert.equal(record.attributes['url.path'], '/hello');
    assert.equal(record.attributes['http.response.status_code'], 200);
    assert.equal(record.attributes['network.peer.port'], gosrv.port);
    assert.equal(record.attributes['network.local.port'], mine?.['src_port']);
    assert.ok(!records.some((r) => r.attributes['process.pid'] === other.pid));
  });
});
