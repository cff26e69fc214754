/**
 * The HTTP/2 protocol under scripted or recorded byte streams (test/support/stream-script.ts,
 * test/fixtures/http2), fed whole, split at every byte, or in random chunks, from the client's
 * side or the server's; and the frames scripts are written with.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Http2Exchange } from '../../../../agent/exchange/http2-exchange';
import { Http2Protocol } from '../../../../agent/protocols/http2/http2-protocol';
import type { Http2Options } from '../../../../agent/protocols/http2/http2-options';
import { loadStreamFixture, protocolHarness, type Step } from '../../../support/stream-script';

/** The client connection preface. */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** One frame: 9-byte header (length, type, flags, stream id), then the payload. */
export function frame(type: number, flags: number, stream: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream, 5);
  return Buffer.concat([header, payload]);
}

const http2 = protocolHarness<Http2Exchange, Http2Options, Http2Protocol>(
  (options) => new Http2Protocol(options),
  {},
  20,
);

export const {
  run: run2,
  assertChunkingInvariant: assertChunkingInvariant2,
  assertSidesAgree: assertSidesAgree2,
} = http2;

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/http2');

/** The recorded HTTP/2 fixtures' names. */
export function fixtureNames(): string[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.stream.json'))
    .map((name) => name.slice(0, -'.stream.json'.length))
    .sort();
}

export function loadFixture2(name: string): Step[] {
  return loadStreamFixture(FIXTURES, name);
}
