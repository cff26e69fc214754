/**
 * Go crypto/tls over HTTP/2 (Go's default over TLS) end to end: a Go net/http client against
 * Debian nginx (`listen … ssl http2`), curl --http2 against a Go net/http TLS server, and a Go
 * client ↔ Go server with 20 concurrent streams on one connection, captured by the real agent.
 * Both sides give one exchange per stream: stream id, method, path, status, sizes, pid, comm,
 * 5-tuple.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonRecordsOf, waitForCount, type JsonRecord } from '../support/json-records';
import { curlHttp2 } from '../support/clients';
import {
  goProgram,
  startGoClient,
  startGoServer,
  type GoClient,
  type GoProgram,
  type GoServer,
} from '../support/go-programs';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();
const STREAMS = 20;
/** The client built by this machine's Go and by the oldest Go plaintap claims (its own HTTP/2 code). */
const NGINX_CLIENTS: readonly GoProgram[] = ['gocli', 'gocli-go117'];

describe('Go crypto/tls over HTTP/2 through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let nginx: NginxServer;
  let gosrv: GoServer;
  let agent: AgentProcess;
  /** Clients started before the agent, waiting: the agent finds them by its scan of processes. */
  const nginxClients = new Map<GoProgram, GoClient>();
  let streamsClient: GoClient;

  const exchangesOf = (pid: number): JsonRecord[] => jsonRecordsOf(agent.records(), 'http2.exchange', pid);
  const waitCount = (find: () => JsonRecord[], count: number, what: string): Promise<JsonRecord[]> =>
    waitForCount(agent, find, count, what, 30_000);
  const byStream = (list: JsonRecord[]): JsonRecord[] => [...list].sort((a, b) => a['stream_id'] - b['stream_id']);

  /** One exchange as the checks see it: stream id, method, path, status, response body size. */
  const row = (x: JsonRecord): unknown[] => [
    x['stream_id'],
    x['request']?.['method'],
    x['request']?.['target'],
    x['response']?.['status_code'],
    x['response']?.['body']['size'],
  ];
  const assertSide = (x: JsonRecord, side: 'client' | 'server', comm: string, library: string): void => {
    assert.equal(x['side'], side);
    assert.equal(x['comm'], comm);
    assert.equal(x['tls_library'], library);
    assert.equal(x['complete'], true, JSON.stringify(x).slice(0, 1500));
    assert.equal(x['headers_incomplete'], false);
    assert.equal(x['request']['version'], '2');
    assert.equal(x['src_addr'], '127.0.0.1');
    assert.equal(x['dst_addr'], '127.0.0.1');
    assert.ok(x['fd'] >= 0, `fd ${x['fd']}`);
  };

  before(async () => {
    cert = makeCertificate();
    nginx = await startNginx(cert, { http2: true, serverDirectives: 'location /n/ { return 200 "$uri\\n"; }' });
    gosrv = await startGoServer(cert);
    for (const variant of NGINX_CLIENTS) {
      nginxClients.set(
        variant,
        await startGoClient(goProgram(variant), `https://127.0.0.1:${nginx.port}/n/{i}`, {
          requests: 3,
          http2: true,
          waitStdin: true,
        }),
      );
    }
    streamsClient = await startGoClient(goProgram('gocli'), `https://127.0.0.1:${gosrv.port}/size/{i}`, {
      requests: STREAMS,
      goroutines: STREAMS,
      http2: true,
      waitStdin: true,
    });
    agent = await startAgent([
      '--output',
      'json',
      '--body-capture',
      '4096',
      ...commFlags(...NGINX_CLIENTS, 'gosrv', 'nginx', 'curl'),
    ]);
  });

  after(async () => {
    for (const client of [...nginxClients.values(), streamsClient]) {
      if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    }
    const code = await agent?.stop();
    await gosrv?.stop();
    await nginx?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  for (const variant of NGINX_CLIENTS) {
    test(`${variant} (net/http) → nginx over HTTP/2: three streams on one connection, an exchange each on both sides`, async () => {
      const nginxClient = nginxClients.get(variant);
      assert.ok(nginxClient);
      nginxClient.release();
      const run = await nginxClient.done();
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.match(/^200 5 HTTP\/2\.0$/gm)?.length, 3, run.stdout);
      const mine = byStream(await waitCount(() => exchangesOf(nginxClient.pid), 3, "the Go client's streams"));
      const port = mine[0]?.['src_port'] as number;
      const theirs = byStream(
        await waitCount(
          () => exchangesOf(nginx.workerPid).filter((r) => r['dst_port'] === port),
          3,
          "nginx's side of the Go client's connection",
        ),
      );
      const expected = [0, 1, 2].map((i) => [2 * i + 1, 'GET', `/n/${i}`, 200, 5]);
      for (const list of [mine, theirs]) assert.deepEqual(list.map(row), expected);
      for (const x of mine) {
        assertSide(x, 'client', variant, 'go');
        assert.equal(x['src_port'], port);
        assert.equal(x['dst_port'], nginx.port);
        assert.equal(x['response']['body']['payload'], `${x['request']['target']}\n`);
      }
      for (const x of theirs) {
        assertSide(x, 'server', 'nginx', 'openssl');
        assert.equal(x['src_port'], nginx.port);
      }
      assert.equal(exchangesOf(nginxClient.pid).length, 3, 'exactly one exchange per stream from the client');
    });
  }

  test('curl --http2 → Go TLS server: one exchange on each side', async () => {
    const run = await curlHttp2([`https://127.0.0.1:${gosrv.port}/size/3000`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, / 2\n/, 'curl negotiated HTTP/2');
    const port = Number(run.stdout.split(' ')[0]);
    const [server] = await waitCount(
      () => exchangesOf(gosrv.pid).filter((r) => r['dst_port'] === port),
      1,
      'the Go server side',
    );
    const [client] = await waitCount(() => exchangesOf(run.pid), 1, 'the curl side');
    assert.ok(server && client);
    assertSide(server, 'server', 'gosrv', 'go');
    assertSide(client, 'client', 'curl', 'openssl');
    for (const x of [server, client]) assert.deepEqual(row(x), [1, 'GET', '/size/3000', 200, 3000]);
    assert.equal(server['src_port'], gosrv.port);
    assert.equal(client['src_port'], port);
    assert.equal(client['dst_port'], gosrv.port);
  });

  test(`Go client ↔ Go server: ${STREAMS} concurrent streams on one connection, one exchange per stream on each side`, async () => {
    streamsClient.release();
    const run = await streamsClient.done();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.match(/^200 \d+ HTTP\/2\.0$/gm)?.length, STREAMS, run.stdout);
    const mine = byStream(await waitCount(() => exchangesOf(streamsClient.pid), STREAMS, "the client's streams"));
    const ports = new Set(mine.map((x) => x['src_port'] as number));
    assert.equal(ports.size, 1, `one connection: ports ${[...ports].join(', ')}`);
    const port = [...ports][0];
    const theirs = byStream(
      await waitCount(
        () => exchangesOf(gosrv.pid).filter((r) => r['dst_port'] === port),
        STREAMS,
        "the server's streams",
      ),
    );
    for (const [list, side, comm] of [
      [mine, 'client', 'gocli'],
      [theirs, 'server', 'gosrv'],
    ] as const) {
      assert.equal(list.length, STREAMS);
      // Streams 1, 3, … 39, each once; /size/N answers N bytes, so a response paired with another
      // stream's request would show.
      assert.deepEqual(
        list.map((x) => x['stream_id']),
        Array.from({ length: STREAMS }, (_, i) => 2 * i + 1),
      );
      const targets = new Set<string>();
      for (const x of list) {
        assertSide(x, side, comm, 'go');
        const target = x['request']['target'] as string;
        const size = Number(/^\/size\/(\d+)$/.exec(target)?.[1]);
        assert.equal(x['response']['body']['size'], size, target);
        assert.equal(x['response']['status_code'], 200);
        targets.add(target);
      }
      assert.equal(targets.size, STREAMS);
    }
    // The same stream is the same request on both sides.
    assert.deepEqual(theirs.map(row), mine.map(row));
    for (const x of theirs) assert.equal(x['src_port'], gosrv.port);
  });
});
