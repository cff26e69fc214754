import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchDecoder } from '../../../agent/capture/batch-decoder';
import {
  CloseReason,
  Direction,
  type CloseEvent,
  type DataEvent,
  type ExecEvent,
} from '../../../agent/capture/captured-event';
import { WallClock } from '../../../agent/capture/wall-clock';
import { buildRecord } from '../../support/kernel-records';

const clock = new WallClock();

test('decodes a data record with IPv4 tuple, comm and a zero-copy payload', () => {
  const batch = buildRecord({
    pid: 4242,
    tid: 4243,
    uid: 1000,
    fd: 7,
    comm: 'curl',
    localPort: 51000,
    remotePort: 8443,
    payload: Buffer.from('GET / HTTP/1.1\r\n\r\n'),
  });
  const [event] = new BatchDecoder(clock).decode(batch) as DataEvent[];
  assert.ok(event);
  assert.equal(event.kind, 'data');
  assert.equal(event.pid, 4242);
  assert.equal(event.tid, 4243);
  assert.equal(event.uid, 1000);
  assert.equal(event.fd, 7);
  assert.equal(event.comm, 'curl');
  assert.equal(event.ipVersion, 4);
  assert.equal(event.localAddress, '127.0.0.1');
  assert.equal(event.localPort, 51000);
  assert.equal(event.remotePort, 8443);
  assert.equal(event.direction, Direction.Egress);
  assert.equal(event.tlsLibrary, 'openssl');
  assert.equal(Buffer.from(event.payload).toString(), 'GET / HTTP/1.1\r\n\r\n');
  assert.equal(event.payload.buffer, batch.buffer, 'payload is a view into the batch');
  assert.equal(event.truncated, false);
  assert.equal(event.timestampNs, clock.fromMonotonic(1_000n));
});

test('decodes IPv6 addresses, ingress direction and the truncated flag', () => {
  const loopback = [...Array(15).fill(0), 1];
  const batch = buildRecord({
    family: 10,
    localAddr: loopback,
    remoteAddr: [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 5],
    direction: 1,
    flags: 1,
    originalLen: 200000,
    payload: new Uint8Array(16),
  });
  const [event] = new BatchDecoder(clock).decode(batch) as DataEvent[];
  assert.ok(event);
  assert.equal(event.ipVersion, 6);
  assert.equal(event.localAddress, '::1');
  assert.equal(event.remoteAddress, '2001:db8::5');
  assert.equal(event.direction, Direction.Ingress);
  assert.equal(event.truncated, true);
  assert.equal(event.originalLength, 200000);
});

test('decodes close records and several records per batch, aligned to 8 bytes', () => {
  const batch = Buffer.concat([
    buildRecord({ payload: Buffer.from('abc') }),
    buildRecord({ type: 2, fd: 9, sockId: 77n, closeReason: 1 }),
    buildRecord({ type: 2, fd: -1, sockId: 78n, closeReason: 2 }),
  ]);
  const events = new BatchDecoder(clock).decode(batch);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['data', 'close', 'close'],
  );
  const close = events[1] as CloseEvent;
  assert.equal(close.fd, 9);
  assert.equal(close.sockId, 77n);
  assert.equal(close.reason, CloseReason.FdClosed);
  assert.equal((events[2] as CloseEvent).reason, CloseReason.SockDestroyed);
});

test('a record from another ABI version or cut short is counted, not decoded', () => {
  const decoder = new BatchDecoder(clock);
  assert.deepEqual(decoder.decode(buildRecord({ abiVersion: 2 })), []);
  const whole = buildRecord({ payload: Buffer.alloc(64, 0x41) });
  assert.deepEqual(decoder.decode(whole.subarray(0, whole.length - 40)), []);
  assert.equal(decoder.stats.malformed.get('abi-version'), 1);
  assert.equal(decoder.stats.malformed.get('length'), 1);
});

test('an unknown socket decodes with an empty tuple', () => {
  const [event] = new BatchDecoder(clock).decode(
    buildRecord({ family: 0, fd: -1, sockId: 0n, flags: 2 }),
  ) as DataEvent[];
  assert.ok(event);
  assert.equal(event.ipVersion, 0);
  assert.equal(event.localAddress, '');
  assert.equal(event.fd, -1);
});

test('decodes a process-exec record: pid, comm and the executed file name', () => {
  const batch = Buffer.concat([
    buildRecord({ type: 3, pid: 4242, tid: 4242, comm: 'wget', payload: Buffer.from('/usr/bin/wget') }),
    buildRecord({ payload: Buffer.from('after') }),
  ]);
  const events = new BatchDecoder(clock).decode(batch);
  assert.deepEqual(
    events.map((e) => e.kind),
    ['exec', 'data'],
  );
  const exec = events[0] as ExecEvent;
  assert.equal(exec.pid, 4242);
  assert.equal(exec.comm, 'wget');
  assert.equal(exec.filename, '/usr/bin/wget');
});
