/**
 * Fuzzes WebSocket framing (masking, lengths of 7, 16 and 64 bits, fragments, control frames,
 * permessage-deflate) behind a real upgrade: each case's pieces follow the 101 response,
 * alternately as the client's and the server's frames.
 */
import zlib from 'node:zlib';
import { Direction } from '../../agent/capture/captured-event';
import { createHttp1Protocol } from '../../agent/protocols/http1/http1-protocol';
import { CONNECTION } from '../support/stream-script';
import { fuzzMain, type FuzzCase, type FuzzTarget } from './fuzz-harness';

const UPGRADE = Buffer.from(
  'GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
  'latin1',
);
const SWITCHED = Buffer.from(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n',
  'latin1',
);

function frame(opcode: number, payload: Uint8Array, options: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}) {
  const head: number[] = [(options.fin === false ? 0 : 0x80) | (options.rsv1 ? 0x40 : 0) | opcode];
  const maskBit = options.mask ? 0x80 : 0;
  if (payload.length < 126) head.push(maskBit | payload.length);
  else if (payload.length < 65536) head.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
  else
    head.push(
      maskBit | 127,
      0,
      0,
      0,
      0,
      (payload.length >>> 24) & 0xff,
      (payload.length >> 16) & 0xff,
      (payload.length >> 8) & 0xff,
      payload.length & 0xff,
    );
  const key = [1, 2, 3, 4];
  const body = Buffer.from(payload);
  if (options.mask) for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([Buffer.from(head), options.mask ? Buffer.from(key) : Buffer.alloc(0), body]);
}

const text = (s: string) => Buffer.from(s, 'utf8');
const deflated = zlib
  .deflateRawSync(text('hello hello hello'), { finishFlush: zlib.constants.Z_SYNC_FLUSH })
  .subarray(0, -4);

export const websocketTarget: FuzzTarget = {
  name: 'websocket',
  seeds: [
    Buffer.concat([frame(1, text('hello'), { mask: true }), frame(1, text('echo:hello'))]),
    Buffer.concat([
      frame(1, text('frag'), { fin: false, mask: true }),
      frame(9, text('p'), { mask: true }),
      frame(0, text('ment'), { mask: true }),
    ]),
    Buffer.concat([frame(2, new Uint8Array(300).fill(7)), frame(8, Buffer.from([3, 232]))]),
    frame(1, deflated, { rsv1: true }),
    frame(2, new Uint8Array(70_000).fill(1), { mask: true }),
  ],
  fixed: [
    // A 64-bit length near 2^63, and one the size of a bomb with no payload behind it.
    [Buffer.from([0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    [Buffer.from([0x82, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3])],
    // A permessage-deflate bomb: 10 MB of zeros deflated.
    [frame(2, zlib.deflateRawSync(Buffer.alloc(10 * 2 ** 20)), { rsv1: true })],
  ],
  run(input: FuzzCase) {
    const protocol = createHttp1Protocol({});
    const parser = protocol.create(CONNECTION, { emit: () => undefined });
    let ts = 1_000_000n;
    const push = (direction: Direction, bytes: Uint8Array): void => {
      ts += 1000n;
      parser.push({ direction, timestampNs: ts, bytes, gapBefore: 0, tid: 7 });
    };
    push(Direction.Egress, UPGRADE);
    push(Direction.Ingress, SWITCHED);
    input.forEach((bytes, index) => push(index % 2 === 0 ? Direction.Ingress : Direction.Egress, bytes));
    parser.close(ts + 1_000_000_000n);
  },
};

if (require.main === module) void fuzzMain(websocketTarget);
