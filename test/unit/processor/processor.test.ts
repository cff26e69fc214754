import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseReason, Direction } from '../../../agent/capture/captured-event';
import type { FdSocket, FdSocketReader } from '../../../agent/capture/fd-socket';
import { Logger } from '../../../agent/log';
import { Processor } from '../../../agent/processor/processor';
import type { ProcessorOptions } from '../../../agent/processor/processor-options';
import type { Protocol } from '../../../agent/protocols/protocol';
import { RawProtocol } from '../../../agent/protocols/raw/raw-protocol';
import {
  RecordingProtocol,
  RecordingSink,
  SOCK_A,
  SOCK_B,
  SSL_A,
  SSL_B,
  close,
  data,
  untrackedData,
} from '../../support/captured-events';

const MS = 1_000_000n;
const START = 1_700_000_000_000n * MS;

/** A processor on a hand-driven clock. */
function setup(options: Partial<ProcessorOptions> = {}) {
  const clock = { now: START };
  const sink = new RecordingSink();
  const recording = new RecordingProtocol('rec');
  const protocols: readonly Protocol[] = options.protocols ?? [recording];
  const processor = new Processor({ sink, ...options, protocols, clock: () => clock.now });
  return { processor, sink, clock, recording };
}

describe('Processor routing', () => {
  it('puts both directions of one connection, from different threads, in one worker', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('GET / HTTP/1.1\r\n\r\n', { direction: Direction.Egress, tid: 101 }),
      data('HTTP/1.1 200 OK\r\n\r\n', { direction: Direction.Ingress, tid: 102 }),
    ]);
    assert.equal(processor.stats().liveWorkers, 1);
    assert.equal(processor.stats().workersOpened, 1);
    assert.equal(recording.parsers.length, 1);
    assert.deepEqual(recording.parsers[0]?.calls, [
      { op: 'push', text: 'GET / HTTP/1.1\r\n\r\n', direction: Direction.Egress, gapBefore: 0, tid: 101 },
      { op: 'push', text: 'HTTP/1.1 200 OK\r\n\r\n', direction: Direction.Ingress, gapBefore: 0, tid: 102 },
    ]);
  });

  it('keys tracked connections by (pid, fd, sockId) and untracked ones by (pid, SSL pointer)', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('a', { pid: 1, fd: 5, sockId: SOCK_A }),
      data('b', { pid: 2, fd: 5, sockId: SOCK_A }), // another process sharing the socket
      data('c', { pid: 1, fd: 6, sockId: SOCK_B }),
      untrackedData('d', { pid: 1, sslPtr: SSL_A }),
      untrackedData('e', { pid: 1, sslPtr: SSL_B }),
      untrackedData('f', { pid: 1, sslPtr: SSL_A, tid: 777 }), // same connection, other thread
      data('g', { pid: 1, fd: 5, sockId: SOCK_A, sslPtr: SSL_B }), // SSL pointer is no key part when tracked
    ]);
    assert.equal(processor.stats().liveWorkers, 5);
    assert.deepEqual(
      recording.parsers.map((p) => p.calls.map((c) => (c.op === 'push' ? c.text : c.op)).join('')),
      ['ag', 'b', 'c', 'df', 'e'],
    );
  });

  it('counts events and bytes received by kind', () => {
    const { processor } = setup();
    processor.handle(data('12345'));
    processor.handle(data('678', { direction: Direction.Ingress }));
    processor.handle(close(SOCK_A, CloseReason.FdClosed));
    const stats = processor.stats();
    assert.deepEqual(stats.eventsReceived, { data: 2, close: 1, shellCommand: 0, dbQuery: 0 });
    assert.equal(stats.bytesReceived, 8);
  });
});

describe('Processor lifecycles', () => {
  it('closes an untracked worker after the idle timeout, and not before', () => {
    const { processor, recording, clock } = setup();
    processor.handle(untrackedData('hello'));
    processor.sweep(clock.now + 999n * MS);
    assert.equal(processor.stats().liveWorkers, 1);
    assert.deepEqual(
      recording.parsers[0]?.calls.map((c) => c.op),
      ['push'],
    );
    processor.sweep(clock.now + 1000n * MS);
    assert.equal(processor.stats().liveWorkers, 0);
    assert.deepEqual(
      recording.parsers[0]?.calls.map((c) => c.op),
      ['push', 'close'],
    );
    assert.equal(processor.stats().workersClosed.idle, 1);
  });

  it('measures silence from the last event, not the first', () => {
    const { processor, clock } = setup();
    processor.handle(untrackedData('a'));
    clock.now += 800n * MS;
    processor.handle(untrackedData('b'));
    processor.sweep(START + 1500n * MS);
    assert.equal(processor.stats().liveWorkers, 1);
    processor.sweep(START + 1800n * MS);
    assert.equal(processor.stats().liveWorkers, 0);
  });

  it('calls idle() on a silent tracked worker once per idle period and keeps it alive', () => {
    const { processor, recording, clock } = setup();
    processor.handle(data('one'));
    processor.sweep(clock.now + 999n * MS);
    const parser = recording.parsers[0];
    assert.deepEqual(
      parser?.calls.map((c) => c.op),
      ['push'],
      'not idle yet',
    );
    processor.sweep(clock.now + 1000n * MS);
    processor.sweep(clock.now + 1500n * MS);
    assert.deepEqual(
      parser?.calls.map((c) => c.op),
      ['push', 'idle'],
      'once per period',
    );
    processor.sweep(clock.now + 2000n * MS);
    assert.deepEqual(
      parser?.calls.map((c) => c.op),
      ['push', 'idle', 'idle'],
      'again after another period (protocol timeouts)',
    );
    assert.equal(processor.stats().liveWorkers, 1);
    assert.equal(processor.stats().workersClosed.idle, 0);
    // New activity restarts the period.
    clock.now += 6000n * MS;
    processor.handle(data('two'));
    processor.sweep(clock.now + 999n * MS);
    assert.deepEqual(
      parser?.calls.map((c) => c.op),
      ['push', 'idle', 'idle', 'push'],
    );
    processor.sweep(clock.now + 1000n * MS);
    assert.deepEqual(
      parser?.calls.map((c) => c.op),
      ['push', 'idle', 'idle', 'push', 'idle'],
    );
    assert.equal(processor.stats().idleFlushes, 3);
    assert.equal(processor.stats().liveWorkers, 1);
  });

  it('honours a custom idle timeout', () => {
    const { processor, clock } = setup({ idleTimeoutMs: 50 });
    processor.handle(untrackedData('x'));
    processor.sweep(clock.now + 49n * MS);
    assert.equal(processor.stats().liveWorkers, 1);
    processor.sweep(clock.now + 50n * MS);
    assert.equal(processor.stats().liveWorkers, 0);
  });

  it('closes only the worker of the closed socket, found by sockId', () => {
    const { processor, recording } = setup();
    processor.handleBatch([data('a', { fd: 5, sockId: SOCK_A }), data('b', { fd: 6, sockId: SOCK_B })]);
    processor.handle(close(SOCK_B, CloseReason.FdClosed, 100, 6));
    const [parserA, parserB] = recording.parsers;
    assert.deepEqual(
      parserA?.calls.map((c) => c.op),
      ['push'],
    );
    assert.deepEqual(
      parserB?.calls.map((c) => c.op),
      ['push', 'close'],
    );
    const stats = processor.stats();
    assert.equal(stats.liveWorkers, 1);
    assert.equal(stats.workersClosed['fd-closed'], 1);
    processor.handle(close(SOCK_A, CloseReason.SockDestroyed, 0, -1));
    assert.deepEqual(
      parserA?.calls.map((c) => c.op),
      ['push', 'close'],
    );
    assert.equal(processor.stats().workersClosed['socket-destroyed'], 1);
    assert.equal(processor.stats().liveWorkers, 0);
  });

  it('on fd close ends only the closing process’s worker; socket destruction ends all on the socket', () => {
    const { processor } = setup();
    processor.handleBatch([data('parent', { pid: 1, fd: 5 }), data('child', { pid: 2, fd: 5 })]);
    processor.handle(close(SOCK_A, CloseReason.FdClosed, 2, 5));
    assert.equal(processor.stats().liveWorkers, 1);
    processor.handle(close(SOCK_A, CloseReason.FdClosed, 3, 5)); // a process we never saw
    assert.equal(processor.stats().liveWorkers, 1);
    assert.equal(processor.stats().closesUnmatched, 1);
    processor.handle(close(SOCK_A, CloseReason.SockDestroyed, 0, -1));
    assert.equal(processor.stats().liveWorkers, 0);
  });

  it('counts a close for an unknown socket separately, not as a drop', () => {
    const { processor } = setup();
    processor.handle(data('a'));
    processor.handle(close(SOCK_B, CloseReason.SockDestroyed));
    processor.handle(close(0n, CloseReason.FdClosed));
    const stats = processor.stats();
    assert.equal(stats.closesUnmatched, 2);
    assert.equal(stats.liveWorkers, 1);
    assert.deepEqual(stats.eventsDropped, {
      'connection-limit': 0,
      'after-shutdown': 0,
      'parser-error': 0,
      'output-error': 0,
    });
  });

  it('does not close an untracked worker on a close record', () => {
    const { processor } = setup();
    processor.handle(untrackedData('a'));
    processor.handle(close(0n, CloseReason.SockDestroyed, 100, -1));
    assert.equal(processor.stats().liveWorkers, 1);
  });

  it('closes a tracked worker whose fd now names another socket (close record lost)', () => {
    const { processor, recording } = setup();
    processor.handle(data('old', { fd: 5, sockId: SOCK_A }));
    processor.handle(data('new', { fd: 5, sockId: SOCK_B }));
    assert.deepEqual(
      recording.parsers[0]?.calls.map((c) => c.op),
      ['push', 'close'],
    );
    assert.equal(processor.stats().workersClosed['fd-reused'], 1);
    assert.equal(processor.stats().liveWorkers, 1);
    processor.handle(close(SOCK_B, CloseReason.FdClosed));
    assert.equal(processor.stats().liveWorkers, 0);
  });

  describe('connection sweep', () => {
    /** A hand-set /proc: what each (pid, fd) refers to now. */
    function fakeProc(): { fds: Map<string, FdSocket>; read: FdSocketReader } {
      const fds = new Map<string, FdSocket>();
      return { fds, read: (pid, fd) => fds.get(`${pid}/${fd}`) ?? 'gone' };
    }

    it('closes a worker whose socket is gone from its process at the second sweep that finds it gone', () => {
      const proc = fakeProc();
      const { processor, recording } = setup({ readFdSocket: proc.read });
      proc.fds.set('100/5', 4242);
      proc.fds.set('100/6', 4343);
      processor.handleBatch([data('a', { fd: 5, sockId: SOCK_A }), data('b', { fd: 6, sockId: SOCK_B })]);
      processor.sweepConnections(START);
      assert.equal(processor.stats().liveWorkers, 2, 'both sockets are there');
      proc.fds.delete('100/5'); // closed, its close record lost
      processor.sweepConnections(START + 1n * MS);
      assert.equal(processor.stats().liveWorkers, 2, 'the first finding only marks it');
      processor.sweepConnections(START + 2n * MS);
      const stats = processor.stats();
      assert.equal(stats.liveWorkers, 1);
      assert.equal(stats.workersClosed.swept, 1);
      assert.equal(stats.connectionSweeps, 3);
      assert.deepEqual(
        recording.parsers[0]?.calls.map((c) => c.op),
        ['push', 'close'],
      );
    });

    it('keeps a marked worker that received data since: its close may still be in the ring', () => {
      const proc = fakeProc();
      const { processor, clock } = setup({ readFdSocket: proc.read });
      processor.handle(data('a'));
      processor.sweepConnections(clock.now); // gone at the first look: marked
      clock.now += 5n * MS;
      processor.handle(data('late'));
      processor.sweepConnections(clock.now);
      assert.equal(processor.stats().liveWorkers, 1, 'marked again, not closed');
      processor.sweepConnections(clock.now + MS);
      assert.equal(processor.stats().workersClosed.swept, 1);
    });

    it('closes a worker whose fd now holds another socket, or no socket, as fd-reused', () => {
      const proc = fakeProc();
      const { processor } = setup({ readFdSocket: proc.read });
      proc.fds.set('100/5', 4242);
      proc.fds.set('100/6', 4343);
      processor.handleBatch([data('a', { fd: 5, sockId: SOCK_A }), data('b', { fd: 6, sockId: SOCK_B })]);
      processor.sweepConnections(START); // learns both inodes
      proc.fds.set('100/5', 9999);
      proc.fds.set('100/6', 'not-socket');
      processor.sweepConnections(START + MS);
      processor.sweepConnections(START + 2n * MS);
      assert.equal(processor.stats().workersClosed['fd-reused'], 2);
      assert.equal(processor.stats().liveWorkers, 0);
    });

    it('keeps a worker whose fd cannot be read, and an untracked one', () => {
      const proc = fakeProc();
      const { processor } = setup({ readFdSocket: proc.read });
      proc.fds.set('100/5', 'unknown');
      processor.handleBatch([data('a'), untrackedData('b')]);
      for (let i = 0; i < 3; i++) processor.sweepConnections(START + BigInt(i) * MS);
      assert.equal(processor.stats().liveWorkers, 2);
    });

    it('closes any worker without data for the idle maximum, at once', () => {
      const proc = fakeProc();
      const { processor, clock } = setup({ readFdSocket: proc.read, maxIdleMs: 60_000 });
      proc.fds.set('100/5', 4242);
      processor.handleBatch([data('a'), untrackedData('b')]);
      processor.sweepConnections(clock.now + 60_000n * MS);
      assert.equal(processor.stats().liveWorkers, 2, 'not past the maximum yet');
      processor.sweepConnections(clock.now + 60_001n * MS);
      assert.equal(processor.stats().workersClosed['max-idle'], 2);
      assert.equal(processor.stats().liveWorkers, 0);
    });

    it('without a /proc reader (a replay), applies only the idle maximum', () => {
      const { processor } = setup({ maxIdleMs: 1000 });
      processor.handle(data('a'));
      for (let i = 0; i < 3; i++) processor.sweepConnections(START + BigInt(i) * MS);
      assert.equal(processor.stats().liveWorkers, 1);
      processor.sweepConnections(START + 1001n * MS);
      assert.equal(processor.stats().workersClosed['max-idle'], 1);
    });
  });

  it('shutdown closes every worker, stops, and drops later events counted', () => {
    const { processor, recording } = setup();
    processor.start();
    processor.handleBatch([data('a'), untrackedData('b'), data('c', { fd: 9, sockId: SOCK_B })]);
    assert.equal(processor.stats().liveWorkers, 3);
    processor.shutdown();
    assert.equal(processor.stats().liveWorkers, 0);
    assert.equal(processor.stats().workersClosed.shutdown, 3);
    for (const parser of recording.parsers)
      assert.deepEqual(
        parser.calls.map((c) => c.op),
        ['push', 'close'],
      );
    processor.handle(data('late'));
    const stats = processor.stats();
    assert.equal(stats.liveWorkers, 0);
    assert.equal(stats.eventsDropped['after-shutdown'], 1);
    assert.equal(stats.bytesDropped, 4);
  });

  it('returns to zero workers after all closes', () => {
    const { processor, clock } = setup();
    processor.handleBatch([
      data('a', { fd: 5, sockId: SOCK_A }),
      data('b', { fd: 6, sockId: SOCK_B }),
      untrackedData('c'),
    ]);
    processor.handle(close(SOCK_A, CloseReason.FdClosed, 100, 5));
    processor.handle(close(SOCK_B, CloseReason.SockDestroyed, 100, 6));
    processor.sweep(clock.now + 1000n * MS);
    const stats = processor.stats();
    assert.equal(stats.liveWorkers, 0);
    assert.equal(stats.workersOpened, 3);
    const closed = Object.values(stats.workersClosed).reduce((a, b) => a + b, 0);
    assert.equal(closed, 3);
  });

  it('sweeps on its own timer once started', async () => {
    const sink = new RecordingSink();
    const processor = new Processor({ protocols: [new RawProtocol()], sink, idleTimeoutMs: 20, sweepIntervalMs: 5 });
    processor.start();
    processor.handle(untrackedData('timer'));
    const deadline = Date.now() + 2000;
    while (processor.stats().liveWorkers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    processor.shutdown();
    assert.equal(processor.stats().workersClosed.idle, 1);
    assert.deepEqual(sink.texts(), ['timer']);
  });
});

describe('Processor limits', () => {
  it('drops and counts data of new connections beyond maxConnections', () => {
    const { processor, recording } = setup({ maxConnections: 2 });
    processor.handleBatch([
      data('a', { fd: 5, sockId: SOCK_A }),
      data('b', { fd: 6, sockId: SOCK_B }),
      data('ccc', { fd: 7, sockId: 0xdeadn }),
      untrackedData('dd'),
      data('a2', { fd: 5, sockId: SOCK_A }), // existing connections still flow
    ]);
    const stats = processor.stats();
    assert.equal(stats.liveWorkers, 2);
    assert.equal(stats.eventsDropped['connection-limit'], 2);
    assert.equal(stats.bytesDropped, 5);
    assert.equal(recording.parsers.length, 2);
    assert.equal(recording.parsers[0]?.calls.length, 2);
    // Room again after a close.
    processor.handle(close(SOCK_B, CloseReason.FdClosed, 100, 6));
    processor.handle(data('ccc', { fd: 7, sockId: 0xdeadn }));
    assert.equal(processor.stats().liveWorkers, 2);
    assert.equal(processor.stats().eventsDropped['connection-limit'], 2);
  });

  it('rejects invalid options', () => {
    const sink = new RecordingSink();
    assert.throws(() => new Processor({ protocols: [], sink }), RangeError);
    assert.throws(() => new Processor({ protocols: [new RawProtocol()], sink, maxConnections: 0 }), RangeError);
    assert.throws(() => new Processor({ protocols: [new RawProtocol()], sink, idleTimeoutMs: -1 }), RangeError);
  });
});

describe('Processor gaps', () => {
  it('reports the bytes a truncated call left out before the next chunk of that direction', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('0123456789', { originalLength: 100, truncated: true }),
      data('reply', { direction: Direction.Ingress }),
      data('next', { direction: Direction.Egress }),
      data('after', { direction: Direction.Egress }),
    ]);
    const gaps = recording.parsers[0]?.calls.map((c) => (c.op === 'push' ? c.gapBefore : -1));
    assert.deepEqual(gaps, [0, 0, 90, 0]);
    assert.equal(processor.stats().bytesMissed, 90);
  });

  it('sees no gap across the records of one large call, and a gap where a record is missing', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('aaaa', { originalLength: 12, chunkOffset: 0 }),
      data('bbbb', { originalLength: 12, chunkOffset: 4 }),
      data('cccc', { originalLength: 12, chunkOffset: 8 }),
      // Next call: its first record (offset 0) was lost.
      data('yyyy', { originalLength: 8, chunkOffset: 4 }),
      // Next call: middle record lost.
      data('1111', { originalLength: 12, chunkOffset: 0 }),
      data('3333', { originalLength: 12, chunkOffset: 8 }),
    ]);
    const gaps = recording.parsers[0]?.calls.map((c) => (c.op === 'push' ? c.gapBefore : -1));
    assert.deepEqual(gaps, [0, 0, 0, 4, 0, 4]);
  });

  it('carries the gap of an empty record to the next chunk and counts unreported loss at close', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('', { originalLength: 50, truncated: true }), // the kernel could not read the buffer
      data('ok'),
      data('cut', { originalLength: 10, truncated: true }),
    ]);
    const gaps = recording.parsers[0]?.calls.map((c) => (c.op === 'push' ? c.gapBefore : -1));
    assert.deepEqual(gaps, [50, 0]);
    processor.handle(close(SOCK_A, CloseReason.FdClosed));
    assert.equal(processor.stats().bytesMissed, 57);
  });

  it('keeps the gap state of each direction apart', () => {
    const { processor, recording } = setup();
    processor.handleBatch([
      data('e1', { direction: Direction.Egress, originalLength: 10 }),
      data('i1', { direction: Direction.Ingress, originalLength: 2 }),
      data('i2', { direction: Direction.Ingress, originalLength: 2 }),
      data('e2', { direction: Direction.Egress }),
    ]);
    const gaps = recording.parsers[0]?.calls.map((c) => (c.op === 'push' ? c.gapBefore : -1));
    assert.deepEqual(gaps, [0, 0, 0, 8]);
  });
});

describe('Processor protocol detection', () => {
  /** Claims streams starting with "SLOW" once 8 bytes are in; waits while they could still be. */
  const slowDecide = (text: string) =>
    'SLOW'.startsWith(text) || text.startsWith('SLOW') ? (text.length >= 8 ? 'match' : 'need-more') : 'no-match';

  it('waits for an earlier protocol that needs more bytes, then replays them in order', () => {
    const slow = new RecordingProtocol('slow', slowDecide);
    const eager = new RecordingProtocol('eager');
    const { processor } = setup({ protocols: [slow, eager, new RawProtocol()] });
    processor.handle(data('SL', { tid: 1 }));
    processor.handle(data('S', { direction: Direction.Ingress, tid: 2 })); // the other direction waits too
    processor.handle(data('OW1234', { tid: 3 }));
    assert.equal(eager.parsers.length, 0);
    assert.equal(slow.parsers.length, 1);
    assert.deepEqual(slow.parsers[0]?.calls, [
      { op: 'push', text: 'SL', direction: Direction.Egress, gapBefore: 0, tid: 1 },
      { op: 'push', text: 'S', direction: Direction.Ingress, gapBefore: 0, tid: 2 },
      { op: 'push', text: 'OW1234', direction: Direction.Egress, gapBefore: 0, tid: 3 },
    ]);
    assert.deepEqual(slow.detectCalls, ['SL', 'S', 'SLOW1234']);
    assert.deepEqual(processor.stats().protocolsDetected, { slow: 1 });
    assert.equal(processor.stats().detectionFallbacks, 0);
  });

  it('lets the first matching protocol win, in list order', () => {
    const first = new RecordingProtocol('first');
    const second = new RecordingProtocol('second');
    for (const order of [
      [first, second],
      [second, first],
    ]) {
      const { processor } = setup({ protocols: order });
      processor.handle(data('x'));
      assert.deepEqual(processor.stats().protocolsDetected, { [order[0]?.name ?? '']: 1 });
    }
    assert.deepEqual(second.detectCalls, ['x']); // asked only when it came first
  });

  it('skips protocols that answer no-match', () => {
    const slow = new RecordingProtocol('slow', slowDecide);
    const eager = new RecordingProtocol('eager');
    const { processor } = setup({ protocols: [slow, eager] });
    processor.handle(data('GET /'));
    assert.equal(eager.parsers.length, 1);
    assert.deepEqual(processor.stats().protocolsDetected, { eager: 1 });
  });

  it('falls back to the last protocol when need-more reaches the buffering bound', () => {
    const stubborn = new RecordingProtocol('stubborn', () => 'need-more');
    const sink = new RecordingSink();
    const { processor } = setup({ protocols: [stubborn, new RawProtocol()], sink, detectionLimitBytes: 16 });
    processor.handle(data('0123456789'));
    assert.equal(sink.records.length, 0);
    processor.handle(data('abcdefghij'));
    assert.deepEqual(stubborn.detectCalls, ['0123456789', '0123456789abcdef']);
    processor.handle(close(SOCK_A, CloseReason.FdClosed));
    assert.deepEqual(sink.texts(), ['0123456789abcdefghij']);
    assert.deepEqual(processor.stats().protocolsDetected, { raw: 1 });
    assert.equal(processor.stats().detectionFallbacks, 1);
  });

  it('falls back when the connection closes while undecided, losing nothing', () => {
    const stubborn = new RecordingProtocol('stubborn', () => 'need-more');
    const sink = new RecordingSink();
    const { processor } = setup({ protocols: [stubborn, new RawProtocol()], sink });
    processor.handle(data('partial'));
    processor.handle(data('answer', { direction: Direction.Ingress }));
    processor.handle(close(SOCK_A, CloseReason.SockDestroyed));
    assert.deepEqual(sink.texts(), ['partial', 'answer']);
  });

  it('falls back on idle flush while undecided', () => {
    const stubborn = new RecordingProtocol('stubborn', () => 'need-more');
    const sink = new RecordingSink();
    const { processor, clock } = setup({ protocols: [stubborn, new RawProtocol()], sink });
    processor.handle(data('partial'));
    processor.sweep(clock.now + 1000n * MS);
    assert.deepEqual(sink.texts(), ['partial']);
    assert.equal(processor.stats().liveWorkers, 1);
  });

  it('falls back when a gap breaks the bytes being detected', () => {
    const stubborn = new RecordingProtocol('stubborn', () => 'need-more');
    const raw = new RecordingProtocol('raw2');
    const { processor } = setup({ protocols: [stubborn, raw] });
    processor.handle(data('abc', { originalLength: 10, truncated: true }));
    processor.handle(data('def'));
    assert.deepEqual(
      raw.parsers[0]?.calls.map((c) => (c.op === 'push' ? `${c.text}:${c.gapBefore}` : c.op)),
      ['abc:0', 'def:7'],
    );
  });
});

describe('Processor parser failures', () => {
  it('replaces a throwing parser with the fallback and counts the dropped chunk', () => {
    const broken: Protocol = {
      name: 'broken',
      detect: () => 'match',
      create: () => ({
        push: () => {
          throw new Error('boom');
        },
        idle: () => undefined,
        close: () => undefined,
      }),
    };
    const lines: string[] = [];
    const sink = new RecordingSink();
    const { processor } = setup({
      protocols: [broken, new RawProtocol()],
      sink,
      logger: new Logger('warn', (line) => lines.push(line)),
    });
    processor.handle(data('lost'));
    processor.handle(data('kept'));
    processor.handle(close(SOCK_A, CloseReason.FdClosed));
    assert.deepEqual(sink.texts(), ['kept']);
    const first = sink.records[0];
    assert.equal(first?.kind === 'raw' && first.truncated, true); // the raw parser knows bytes are missing
    const stats = processor.stats();
    assert.equal(stats.parserErrors, 1);
    assert.equal(stats.eventsDropped['parser-error'], 1);
    assert.equal(stats.liveWorkers, 0);
    assert.match(lines[0] ?? '', /^warn parser failed protocol=broken .*error=boom/);
  });
});

describe('Processor debug log', () => {
  it('logs "worker closed" with the close reason', () => {
    const lines: string[] = [];
    const { processor } = setup({ logger: new Logger('debug', (line) => lines.push(line)) });
    processor.handle(data('a', { pid: 42, fd: 7 }));
    processor.handle(data('b', { pid: 42, fd: 8, sockId: SOCK_B }));
    processor.handle(close(SOCK_A, CloseReason.FdClosed, 42, 7));
    processor.handle(close(SOCK_B, CloseReason.SockDestroyed, 42, 8));
    const closed = lines.filter((line) => line.startsWith('debug worker closed'));
    assert.equal(closed.length, 2);
    assert.match(closed[0] ?? '', /^debug worker closed pid=42 fd=7 reason=fd-closed /);
    assert.match(closed[1] ?? '', /^debug worker closed pid=42 fd=8 reason=socket-destroyed /);
    assert.ok(lines.some((line) => line.startsWith('debug worker opened pid=42 fd=7')));
  });
});

describe('Processor: shell commands and queries', () => {
  it('hands them to the sink at once, without a worker; blank lines are counted, not reported', () => {
    const { processor, sink } = setup();
    const shell = {
      kind: 'shell-command' as const,
      timestampNs: START,
      endNs: START + 5n * MS,
      pid: 7,
      tid: 7,
      ppid: 1,
      uid: 1000,
      comm: 'bash',
      tty: 'pts/1',
      line: 'ls',
      lineLength: 2,
      truncated: false,
      exitStatus: 0,
    };
    processor.handle(shell);
    processor.handle({ ...shell, line: '   ' });
    processor.handle({
      kind: 'db-query',
      system: 'postgresql',
      timestampNs: START,
      endNs: START + MS,
      pid: 9,
      tid: 9,
      uid: 105,
      comm: 'postgres',
      command: 0,
      statementId: 0,
      text: 'select 1',
      textLength: 8,
      truncated: false,
      ok: true,
      errorNumber: 0,
      sqlState: '',
      namespace: 'app',
      user: 'alice',
      clientAddress: '',
      clientPort: 0,
      serverAddress: '',
      serverPort: 0,
    });
    assert.deepEqual(
      sink.records.map((r) => r.kind),
      ['shell.command', 'db.query'],
    );
    const query = sink.records[1] as { operation: string; durationNs: bigint };
    assert.equal(query.operation, 'SELECT');
    assert.equal(query.durationNs, MS);
    assert.equal(processor.stats().liveWorkers, 0);
    assert.deepEqual(processor.stats().eventsReceived, { data: 0, close: 0, shellCommand: 2, dbQuery: 1 });
  });
});
