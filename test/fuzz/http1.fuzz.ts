/**
 * Fuzzes the HTTP/1 parser (and the WebSocket frames and body decoders behind it): each case's
 * pieces are pushed alternately as the client's requests and the server's responses of one
 * connection, then the connection idles and closes. Seeds: the recorded curl ↔ nginx streams.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Direction } from '../../agent/capture/captured-event';
import { createHttp1Protocol } from '../../agent/protocols/http1/http1-protocol';
import { CONNECTION } from '../support/stream-script';
import { fuzzMain, type FuzzCase, type FuzzTarget } from './fuzz-harness';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'http1');

/** Each recorded stream as one byte string: its requests, then its responses. */
function recordedStreams(): Uint8Array[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.stream.json'))
    .sort()
    .map((file) => {
      const { steps } = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as {
        steps: { dir: string; base64: string }[];
      };
      const part = (dir: string) => steps.filter((s) => s.dir === dir).map((s) => Buffer.from(s.base64, 'base64'));
      return Buffer.concat([...part('request'), ...part('response')]);
    });
}

const HAND_MADE = [
  'POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\rContent-Length: 4\r\n\r\nbody',
  'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello\x88\x00',
  'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcbH\xcd\xc9\xc9\x07\x00\x86\xa6',
].map((text) => Buffer.from(text, 'latin1'));

export const http1Target: FuzzTarget = {
  name: 'http1',
  seeds: [...recordedStreams(), ...HAND_MADE],
  fixed: [
    // A 10 MB header line, a 10 MB request line.
    [Buffer.from(`GET / HTTP/1.1\r\nX-Long: ${'a'.repeat(10 * 2 ** 20)}\r\n\r\n`, 'latin1')],
    [Buffer.from(`GET /${'a'.repeat(10 * 2 ** 20)} HTTP/1.1\r\n\r\n`, 'latin1')],
    // A header flood.
    [Buffer.from(`GET / HTTP/1.1\r\n${'X-F: 1\r\n'.repeat(200_000)}\r\n`, 'latin1')],
    // Huge and negative lengths.
    [Buffer.from('GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\nx', 'latin1')],
    [Buffer.from('GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'latin1')],
    [Buffer.from('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n', 'latin1')],
  ],
  run(input: FuzzCase) {
    const protocol = createHttp1Protocol({});
    const parser = protocol.create(CONNECTION, { emit: () => undefined });
    let ts = 1_000_000n;
    input.forEach((bytes, index) => {
      ts += 1000n;
      const direction = index % 2 === 0 ? Direction.Egress : Direction.Ingress;
      parser.push({ direction, timestampNs: ts, bytes, gapBefore: 0, tid: 7 });
    });
    parser.idle(ts + 1_000_000_000n);
    parser.close(ts + 2_000_000_000n);
  },
};

if (require.main === module) void fuzzMain(http1Target);
