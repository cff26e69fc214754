/**
 * NSS/NSPR (libnspr4.so + libssl3.so) through the real kernel path, with NSS's own peers from
 * libnss3-tools: tstclnt against nginx, curl and tstclnt against selfserv. Both ends of each
 * connection are on the host, so each side's tuple is checked against the other's. tstclnt
 * reads its request from a file and prints the response to stdout, both through the same NSPR
 * calls as its TLS socket: the raw records (--record) must hold the TLS bytes only. A tstclnt
 * connected before plaintap started is recognised by its descriptor's SSL layer.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BatchDecoder } from '../../agent/capture/batch-decoder';
import { Direction, type DataEvent } from '../../agent/capture/captured-event';
import { RecordFileReader } from '../../agent/capture/record-file';
import { WallClock } from '../../agent/capture/wall-clock';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags } from '../support/agent-flags';
import { jsonExchangesOf, type JsonRecord } from '../support/json-records';
import { localPort, runClient, type ClientRun } from '../support/clients';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { makeNssDatabase, startSelfserv, tstclntArgs, type Selfserv } from '../support/nss-tools';
import { kernelTestSkipReason } from '../support/privileges';
import { makeTempDir } from '../support/temp-dir';
import { makeCertificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

describe('NSS/NSPR capture through the real kernel path', { skip }, () => {
  let nginx: NginxServer;
  let selfserv: Selfserv;
  let database: string;
  let dir: string;
  let recordFile: string;
  let agent: AgentProcess;
  /** A tstclnt that connected to nginx (handshake done) before the agent started. */
  let early: ChildProcess;
  let earlyStdout = '';

  const exchangesOf = (pid: number): JsonRecord[] => jsonExchangesOf(agent.records(), pid);
  const waitExchange = (pid: number, what: string, port?: number): Promise<JsonRecord> =>
    agent.waitFor(
      () => exchangesOf(pid).find((x) => x['complete'] && (port === undefined || x['dst_port'] === port)),
      20_000,
      what,
    );

  /** tstclnt sending the request in a file (read through NSPR) and printing the response (NSPR too). */
  const tstclnt = async (port: number, target: string): Promise<ClientRun & { request: string }> => {
    const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const file = path.join(dir, `request-${port}-${target.replace(/\W/g, '_')}.txt`);
    fs.writeFileSync(file, request);
    const run = await runClient('tstclnt', tstclntArgs(database, port, ['-A', file]));
    assert.equal(run.code, 0, run.stderr);
    return { ...run, request };
  };

  /** The kernel's data records of one process, as recorded (the file is written before records are processed). */
  const recordedData = (pid: number): DataEvent[] => {
    const reader = new RecordFileReader(recordFile);
    const decoder = new BatchDecoder(new WallClock(reader.header.wallClockOffsetNs));
    const events: DataEvent[] = [];
    for (const batch of reader.batches()) {
      for (const event of decoder.decode(batch.bytes))
        if (event.kind === 'data' && event.pid === pid) events.push(event);
    }
    return events;
  };
  const bytesOf = (events: readonly DataEvent[], direction: Direction): string =>
    Buffer.concat(events.filter((e) => e.direction === direction).map((e) => e.payload)).toString('latin1');

  before(async () => {
    const cert = makeCertificate();
    dir = makeTempDir('nss');
    recordFile = path.join(dir, 'capture.ptap');
    database = makeNssDatabase();
    [nginx, selfserv] = await Promise.all([startNginx(cert), startSelfserv(database)]);
    early = spawn('tstclnt', tstclntArgs(database, nginx.port, ['-v']), { stdio: ['pipe', 'pipe', 'pipe'] });
    let earlyStderr = '';
    early.stdout?.on('data', (chunk: Buffer) => (earlyStdout += chunk.toString()));
    early.stderr?.on('data', (chunk: Buffer) => (earlyStderr += chunk.toString()));
    await until(
      () => /SSL version/.test(earlyStderr),
      'the early tstclnt handshake',
      () => earlyStderr,
    );
    // nginx and selfserv by pid: other tests' nginx on this machine must not flood this agent.
    agent = await startAgent([
      '--output',
      'json',
      '--record',
      recordFile,
      ...commFlags('tstclnt', 'curl'),
      '--pid',
      String(nginx.workerPid),
      '--pid',
      String(selfserv.pid),
    ]);
  });

  after(async () => {
    early?.kill();
    const code = await agent?.stop();
    await Promise.all([nginx?.stop(), selfserv?.stop()]);
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('the ready line lists libnspr4 and libssl3', () => {
    assert.match(agent.readyLine, /attached=.*libnspr4\.so\[\d+\]/);
    assert.match(agent.readyLine, /attached=.*libssl3\.so\[\d+\]/);
  });

  test('tstclnt against nginx: its exchange, nginx the mirror; its request file and stdout are not captured', async () => {
    const run = await tstclnt(nginx.port, '/hello?from=tstclnt');
    assert.match(run.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    const client = await waitExchange(run.pid, "tstclnt's exchange");
    assert.equal(client['request']['method'], 'GET');
    assert.equal(client['request']['target'], '/hello?from=tstclnt');
    assert.equal(client['response']['status_code'], 200);
    assert.equal(client['response']['body']['size'], 17);
    assert.equal(client['comm'], 'tstclnt');
    assert.equal(client['tls_library'], 'nss');
    assert.equal(client['side'], 'client');
    assert.equal(client['dst_port'], nginx.port);
    assert.ok(client['fd'] >= 3);
    const server = await waitExchange(nginx.workerPid, "nginx's side", client['src_port']);
    assert.equal(server['request']['target'], '/hello?from=tstclnt');
    assert.equal(server['src_port'], nginx.port);
    assert.equal(server['tls_library'], 'openssl');

    // Sent: exactly the request (not the file it was read from); received: exactly what it printed.
    const events = recordedData(run.pid);
    assert.equal(bytesOf(events, Direction.Egress), run.request);
    assert.equal(bytesOf(events, Direction.Ingress), run.stdout);
    for (const event of events) {
      assert.equal(event.fd, client['fd']);
      assert.equal(event.localPort, client['src_port']);
      assert.equal(event.tlsLibrary, 'nss');
    }
  });

  test('curl against selfserv: the NSS server side, its PR_Writev response', async () => {
    const url = `https://127.0.0.1:${selfserv.port}/from-curl`;
    const run = await runClient('curl', [
      '-sk',
      '--http1.1',
      '-o',
      '/dev/null',
      '-w',
      '%{local_port}\n%{size_download}\n',
      url,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const curlPort = localPort(run);
    const received = Number(run.stdout.split('\n')[1]);
    const server = await waitExchange(selfserv.pid, "selfserv's exchange", curlPort);
    assert.equal(server['side'], 'server');
    assert.equal(server['request']['method'], 'GET');
    assert.equal(server['request']['target'], '/from-curl');
    assert.equal(server['response']['status_code'], 200);
    assert.equal(server['response']['body']['size'], received);
    assert.equal(server['src_port'], selfserv.port);
    assert.equal(server['comm'], 'selfserv');
    assert.equal(server['tls_library'], 'nss');
    const client = await waitExchange(run.pid, "curl's side");
    assert.equal(client['src_port'], curlPort);
    assert.equal(client['response']['body']['size'], received);
  });

  test('tstclnt against selfserv: NSS on both ends, tuples mirrored', async () => {
    const run = await tstclnt(selfserv.port, '/nss-to-nss');
    const body = run.stdout.slice(run.stdout.indexOf('\r\n\r\n') + 4);
    const client = await waitExchange(run.pid, "tstclnt's exchange");
    assert.equal(client['request']['target'], '/nss-to-nss');
    assert.equal(client['response']['status_code'], 200);
    assert.equal(client['response']['body']['size'], Buffer.byteLength(body));
    assert.equal(client['tls_library'], 'nss');
    const server = await waitExchange(selfserv.pid, "selfserv's side", client['src_port']);
    assert.equal(server['request']['target'], '/nss-to-nss');
    assert.equal(server['response']['body']['size'], Buffer.byteLength(body));
    assert.equal(server['dst_port'], client['src_port']);
    assert.equal(client['dst_port'], server['src_port']);
    assert.equal(bytesOf(recordedData(run.pid), Direction.Egress), run.request);
  });

  test('a TLS connection tstclnt opened before plaintap started', async () => {
    early.stdin?.write('GET /hello?from=early HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await until(
      () => earlyStdout.includes('hello from nginx'),
      'the response',
      () => earlyStdout,
    );
    const client = await waitExchange(early.pid ?? 0, "the early tstclnt's exchange");
    assert.equal(client['request']['target'], '/hello?from=early');
    assert.equal(client['response']['status_code'], 200);
    assert.equal(client['tls_library'], 'nss');
    assert.equal(client['dst_port'], nginx.port);
    const server = await waitExchange(nginx.workerPid, "nginx's side", client['src_port']);
    assert.equal(server['request']['target'], '/hello?from=early');
  });
});

async function until(condition: () => boolean, what: string, detail: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
