import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import type { Protocol, StreamChunk } from '../../../../agent/protocols/protocol';
import { RawProtocol } from '../../../../agent/protocols/raw/raw-protocol';
import { RecordingSink, facts } from '../../../support/captured-events';

const encoder = new TextEncoder();

function chunk(text: string, overrides: Partial<StreamChunk> = {}): StreamChunk {
  return {
    direction: Direction.Egress,
    timestampNs: 1n,
    bytes: encoder.encode(text),
    gapBefore: 0,
    tid: 100,
    ...overrides,
  };
}

function setup(truncateBytes?: number) {
  const sink = new RecordingSink();
  const protocol = new RawProtocol(truncateBytes === undefined ? {} : { truncateBytes });
  const parser = protocol.create(facts(), sink);
  const messages = (): RawMessage[] => sink.records.filter((r): r is RawMessage => r.kind === 'raw');
  return { sink, parser, messages };
}

describe('RawProtocol', () => {
  it('is named raw and matches anything', () => {
    const protocol: Protocol = new RawProtocol();
    assert.equal(protocol.name, 'raw');
    assert.equal(protocol.detect(new Uint8Array([0x16, 0x03, 0x01]), Direction.Egress), 'match');
    assert.equal(protocol.detect(encoder.encode('x'), Direction.Ingress), 'match');
  });

  it('rejects a negative truncation cap', () => {
    assert.throws(() => new RawProtocol({ truncateBytes: -1 }), RangeError);
  });

  it('joins one direction’s chunks and emits when the direction switches', () => {
    const { parser, sink, messages } = setup();
    parser.push(chunk('GET / ', { timestampNs: 10n }));
    parser.push(chunk('HTTP/1.1\r\n\r\n', { timestampNs: 11n }));
    assert.equal(sink.records.length, 0);
    parser.push(chunk('HTTP/1.1 200 OK\r\n\r\n', { direction: Direction.Ingress, timestampNs: 20n }));
    assert.deepEqual(sink.texts(), ['GET / HTTP/1.1\r\n\r\n']);
    const [request] = messages();
    assert.equal(request?.kind, 'raw');
    assert.equal(request?.direction, Direction.Egress);
    assert.equal(request?.timestampNs, 10n);
    assert.equal(request?.length, 18);
    assert.equal(request?.truncated, false);
    parser.close(30n);
    assert.deepEqual(sink.texts(), ['GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n']);
    assert.equal(messages()[1]?.direction, Direction.Ingress);
  });

  it('emits the pending message on idle, and nothing when there is none', () => {
    const { parser, sink } = setup();
    parser.idle(5n);
    assert.equal(sink.records.length, 0);
    parser.push(chunk('ping'));
    parser.idle(5n);
    parser.idle(6n);
    parser.push(chunk('pong'));
    parser.close(7n);
    parser.close(8n);
    assert.deepEqual(sink.texts(), ['ping', 'pong']);
  });

  it('copies the bytes it keeps', () => {
    const { parser, sink } = setup();
    const bytes = encoder.encode('abc');
    parser.push(chunk('', { bytes }));
    bytes.fill(0x7a);
    parser.close(1n);
    assert.deepEqual(sink.texts(), ['abc']);
  });

  it('keeps at most truncateBytes and counts the rest', () => {
    const { parser, messages } = setup(10);
    parser.push(chunk('012345'));
    parser.push(chunk('6789ab'));
    parser.push(chunk('cdef'));
    parser.close(1n);
    const [message] = messages();
    assert.equal(Buffer.from(message?.payload ?? []).toString(), '0123456789');
    assert.equal(message?.length, 16);
    assert.equal(message?.truncated, true);
  });

  it('is not truncated when the message fits the cap exactly', () => {
    const { parser, messages } = setup(4);
    parser.push(chunk('abcd'));
    parser.close(1n);
    assert.equal(messages()[0]?.truncated, false);
    assert.equal(messages()[0]?.payload.length, 4);
  });

  it('keeps everything with truncateBytes 0, and 64 KiB by default', () => {
    const big = 'x'.repeat(70_000);
    const unlimited = setup(0);
    unlimited.parser.push(chunk(big));
    unlimited.parser.close(1n);
    assert.equal(unlimited.messages()[0]?.payload.length, 70_000);
    assert.equal(unlimited.messages()[0]?.truncated, false);
    const byDefault = setup();
    byDefault.parser.push(chunk(big));
    byDefault.parser.close(1n);
    assert.equal(byDefault.messages()[0]?.payload.length, 65_536);
    assert.equal(byDefault.messages()[0]?.length, 70_000);
    assert.equal(byDefault.messages()[0]?.truncated, true);
  });

  it('marks a gap inside a message as truncation and counts the lost bytes', () => {
    const { parser, messages } = setup();
    parser.push(chunk('head'));
    parser.push(chunk('tail', { gapBefore: 100 }));
    parser.close(1n);
    const [message] = messages();
    assert.equal(Buffer.from(message?.payload ?? []).toString(), 'headtail');
    assert.equal(message?.length, 108);
    assert.equal(message?.truncated, true);
  });

  it('marks a message that starts after a gap as truncated without counting the gap', () => {
    const { parser, messages } = setup();
    parser.push(chunk('next', { gapBefore: 100 }));
    parser.close(1n);
    assert.equal(messages()[0]?.length, 4);
    assert.equal(messages()[0]?.truncated, true);
  });

  it('reports the thread of the first chunk and the connection it was created for', () => {
    const { parser, messages } = setup();
    parser.push(chunk('a', { tid: 100 }));
    parser.push(chunk('b', { direction: Direction.Ingress, tid: 200 }));
    parser.close(1n);
    assert.equal(messages()[0]?.connection.tid, 100);
    assert.equal(messages()[1]?.connection.tid, 200);
    assert.equal(messages()[1]?.connection.comm, 'curl');
    assert.equal(messages()[1]?.connection.remotePort, 443);
  });
});
