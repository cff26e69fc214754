/**
 * Go gRPC end to end: a client and a server built with google.golang.org/grpc (from the Go module
 * proxy, test/fixtures/go-grpc) talk over Go's own crypto/tls on 127.0.0.1, captured by the real
 * agent on both sides: unary OK, unary error (NOT_FOUND with a message), server streaming of 10
 * messages, client streaming of 5. Each call is one record per side with service, method,
 * grpc-status and message, message counts, pid, comm and 5-tuple, in JSON and at the OTLP receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../support/agent-process';
import { commFlags, otlpFlags } from '../support/agent-flags';
import { jsonRecordsOf, waitForCount, type JsonRecord } from '../support/json-records';
import { startGoGrpcClient, startGoGrpcServer, type GoClient, type GoServer } from '../support/go-programs';
import { startOtlpReceiver, type DecodedLogRecord, type OtlpReceiver } from '../support/otlp-receiver';
import { kernelTestSkipReason } from '../support/privileges';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';

const skip = kernelTestSkipReason();

/** The four calls of the client, in stream order: method, grpc-status, message, messages up, messages down. */
const CALLS = [
  ['Unary', 0, null, 1, 1],
  ['Missing', 5, 'no such item: 42', 1, 0],
  ['ServerStream', 0, null, 1, 10],
  ['ClientStream', 0, null, 5, 1],
] as const;

describe('Go gRPC client and server through the real kernel path', { skip }, () => {
  let cert: Certificate;
  let server: GoServer;
  let client: GoClient;
  let receiver: OtlpReceiver;
  let agent: AgentProcess;

  const calls = (pid: number): JsonRecord[] =>
    jsonRecordsOf(agent.records(), 'http2.exchange', pid)
      .filter((r) => r['grpc'] !== null)
      .sort((a, b) => a['stream_id'] - b['stream_id']);

  before(async () => {
    cert = makeCertificate();
    server = await startGoGrpcServer(cert);
    // Both run before the agent: it finds them by its scan of processes.
    client = await startGoGrpcClient(`127.0.0.1:${server.port}`, { waitStdin: true });
    receiver = await startOtlpReceiver();
    agent = await startAgent([
      '--output',
      'json',
      '--body-capture',
      '4096',
      ...commFlags('gogrpc-client', 'gogrpc-server'),
      ...otlpFlags(receiver.endpoint),
    ]);
  });

  after(async () => {
    if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    const code = await agent?.stop();
    await server?.stop();
    await receiver?.stop();
    assert.equal(code, 0, `agent exit code; stderr:\n${agent?.stderr()}`);
  });

  test('unary OK, unary NOT_FOUND, server and client streaming: one record per call on each side', async () => {
    client.release();
    const run = await client.done();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Missing NotFound no such item: 42$/m);
    assert.match(run.stdout, /^ServerStream OK 10$/m);
    assert.match(run.stdout, /^ClientStream OK received 5$/m);

    const mine = await waitForCount(agent, () => calls(client.pid), CALLS.length, "the client's four calls");
    const clientPort = mine[0]?.['src_port'] as number;
    const theirs = await waitForCount(
      agent,
      () => calls(server.pid).filter((r) => r['dst_port'] === clientPort),
      CALLS.length,
      "the server's four calls",
    );
    for (const [list, side] of [
      [mine, 'client'],
      [theirs, 'server'],
    ] as const) {
      assert.equal(list.length, CALLS.length, JSON.stringify(list).slice(0, 2000));
      assert.deepEqual(
        list.map((x) => [
          x['grpc']['method'],
          x['grpc']['status_code'],
          x['grpc']['status_message'],
          x['grpc']['request_messages']['count'],
          x['grpc']['response_messages']['count'],
        ]),
        CALLS,
      );
      // One connection, streams in the order the client opened them.
      assert.deepEqual(
        list.map((x) => x['stream_id']),
        [1, 3, 5, 7],
      );
      for (const x of list) {
        assert.equal(x['side'], side);
        assert.equal(x['complete'], true, JSON.stringify(x));
        assert.equal(x['headers_incomplete'], false);
        assert.equal(x['tls_library'], 'go');
        assert.equal(x['comm'], side === 'client' ? 'gogrpc-client' : 'gogrpc-server');
        assert.equal(x['grpc']['service'], 'plaintap.test.Echo');
        assert.equal(x['request']['method'], 'POST');
        assert.equal(x['request']['target'], `/plaintap.test.Echo/${x['grpc']['method']}`);
        assert.equal(x['response']['status_code'], 200);
        assert.equal(x['src_addr'], '127.0.0.1');
        assert.equal(x['dst_addr'], '127.0.0.1');
        assert.ok(x['fd'] >= 0, `fd ${x['fd']}`);
      }
      const [unary, , serverStream, clientStream] = list;
      assert.equal(unary?.['grpc']['request_messages']['payload'], 'hello grpc');
      assert.equal(unary?.['grpc']['response_messages']['payload'], 'echo:hello grpc');
      assert.equal(serverStream?.['grpc']['response_messages']['bytes'], 10 * 6);
      assert.equal(clientStream?.['grpc']['request_messages']['bytes'], 5 * 6);
    }
    for (const x of mine) {
      assert.equal(x['src_port'], clientPort);
      assert.equal(x['dst_port'], server.port);
    }
    for (const x of theirs) assert.equal(x['src_port'], server.port);

    // The same calls at the OTLP receiver, with the rpc.* attributes, from both processes.
    const isCall = (r: DecodedLogRecord, pid: number): boolean =>
      r.attributes['rpc.system'] === 'grpc' && r.attributes['process.pid'] === pid;
    const records = await receiver.waitFor(
      (all) =>
        all.filter((r) => isCall(r, client.pid)).length >= CALLS.length &&
        all.filter((r) => isCall(r, server.pid) && r.attributes['network.peer.port'] === clientPort).length >=
          CALLS.length,
      20_000,
    );
    for (const pid of [client.pid, server.pid]) {
      const byMethod = new Map(records.filter((r) => isCall(r, pid)).map((r) => [r.attributes['rpc.method'], r]));
      for (const [method, status, message, up, down] of CALLS) {
        const record = byMethod.get(method);
        assert.ok(record, `${method} of ${pid} at the receiver`);
        assert.equal(record.attributes['rpc.service'], 'plaintap.test.Echo');
        assert.equal(record.attributes['rpc.grpc.status_code'], status);
        // grpc-go sends an empty grpc-message with status 0: no attribute then.
        assert.equal(record.attributes['plaintap.grpc.status_message'], message ?? undefined);
        assert.equal(record.attributes['plaintap.grpc.request.messages'], up);
        assert.equal(record.attributes['plaintap.grpc.response.messages'], down);
        assert.equal(record.attributes['plaintap.protocol'], 'grpc');
        assert.equal(record.attributes['network.protocol.version'], '2');
        assert.equal(record.attributes['plaintap.tls.library'], 'go');
      }
    }
  });
});
