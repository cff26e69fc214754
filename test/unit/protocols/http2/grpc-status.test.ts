/**
 * gRPC status from the trailers: grpc-go sends `grpc-message` on every call, empty when the status
 * has no message; an empty one is no message (as grpcio, which leaves it out).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Step } from '../../../support/stream-script';
import { assertChunkingInvariant2, frame, PREFACE } from './harness';

const HEADERS = 0x1;
const DATA = 0x0;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

/** HPACK literal field without indexing, new name (RFC 7541 §6.2.2); short strings only. */
function literal(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.of(0, name.length), Buffer.from(name), Buffer.of(value.length), Buffer.from(value)]);
}

/** One gRPC message: compressed flag, 4-byte length, the bytes. */
function grpcMessage(text: string): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(text.length, 1);
  return Buffer.concat([prefix, Buffer.from(text)]);
}

/** A unary call on stream 1 whose trailers are grpc-status and grpc-message as given. */
function unaryCall(status: string, message: string): Step[] {
  const request = Buffer.concat([
    Buffer.of(0x83, 0x87), // :method POST, :scheme https
    literal(':path', '/plaintap.test.Echo/Unary'),
    literal('content-type', 'application/grpc'),
  ]);
  const response = Buffer.concat([Buffer.of(0x88), literal('content-type', 'application/grpc')]);
  const trailers = Buffer.concat([literal('grpc-status', status), literal('grpc-message', message)]);
  return [
    { dir: 'request', bytes: PREFACE },
    {
      dir: 'request',
      bytes: Buffer.concat([frame(HEADERS, END_HEADERS, 1, request), frame(DATA, END_STREAM, 1, grpcMessage('hello'))]),
    },
    {
      dir: 'response',
      bytes: Buffer.concat([
        frame(HEADERS, END_HEADERS, 1, response),
        frame(DATA, 0, 1, grpcMessage('echo:hello')),
        frame(HEADERS, END_HEADERS | END_STREAM, 1, trailers),
      ]),
    },
  ];
}

describe('gRPC status from the trailers', () => {
  it('an empty grpc-message (grpc-go sends one with every status) is no message', () => {
    const [call] = assertChunkingInvariant2(unaryCall('0', ''), {}, 3).records;
    assert.equal(call?.complete, true);
    assert.equal(call?.grpc?.method, 'Unary');
    assert.equal(call?.grpc?.statusCode, 0);
    assert.equal(call?.grpc?.statusMessage, undefined);
    assert.equal(call?.grpc?.responseMessages.count, 1);
  });

  it('a grpc-message is percent-decoded', () => {
    const [call] = assertChunkingInvariant2(unaryCall('5', 'no such item: 42%21'), {}, 3).records;
    assert.equal(call?.grpc?.statusCode, 5);
    assert.equal(call?.grpc?.statusMessage, 'no such item: 42!');
  });
});
