/**
 * The HTTP/1 protocol under scripted byte streams (test/support/stream-script.ts): run a script,
 * check that every chunking and both sides give the same records, load the recorded streams of
 * test/fixtures/http1.
 */
import path from 'node:path';
import type { HttpExchange } from '../../../../agent/exchange/http-exchange';
import type { WebSocketMessage } from '../../../../agent/exchange/websocket-message';
import { createHttp1Protocol, type Http1Protocol } from '../../../../agent/protocols/http1/http1-protocol';
import type { Http1Options } from '../../../../agent/protocols/http1/http1-options';
import { loadStreamFixture, protocolHarness, type Step } from '../../../support/stream-script';

export type Http1Record = HttpExchange | WebSocketMessage;

const http1 = protocolHarness<Http1Record, Http1Options, Http1Protocol>(
  (options) => createHttp1Protocol(options),
  {},
  30,
);

export const { run, assertChunkingInvariant, assertSidesAgree } = http1;

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/http1');

/** A recorded stream (test/fixtures/http1/<name>.stream.json) as steps. */
export function loadFixture(name: string): Step[] {
  return loadStreamFixture(FIXTURES, name);
}

export function exchanges(records: readonly Http1Record[]): HttpExchange[] {
  return records.filter((record): record is HttpExchange => record.kind === 'http1.exchange');
}

export function text(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes).toString('latin1');
}
