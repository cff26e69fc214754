/**
 * Drives the HTTP/2 protocol with scripted or recorded byte streams (test/fixtures/http2), fed
 * whole, split at every byte, or in random chunks, from the client's side or the server's.
 * Chunking helpers and the step format are the HTTP/1 harness's.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Direction } from '../../../../agent/capture/captured-event';
import type { Http2Exchange } from '../../../../agent/exchange/http2-exchange';
import { Http2Protocol } from '../../../../agent/protocols/http2/http2-protocol';
import type { Http2Options } from '../../../../agent/protocols/http2/http2-options';
import type { Http2Stats } from '../../../../agent/protocols/http2/http2-stats';
import {
  bytewise,
  canonical,
  CONNECTION,
  randomChunking,
  splitAt,
  stepTs,
  whole,
  type Action,
  type Chunking,
  type Step,
} from '../http1/harness';

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

export interface Run2Result {
  readonly records: Http2Exchange[];
  readonly stats: Http2Stats;
}

export interface Run2Options {
  readonly side?: 'client' | 'server';
  readonly chunking?: Chunking;
  readonly options?: Http2Options;
}

function isStep(action: Action): action is Step {
  return 'dir' in action;
}

export function run2(actions: readonly Action[], runOptions: Run2Options = {}): Run2Result {
  const side = runOptions.side ?? 'client';
  const chunking = runOptions.chunking ?? whole;
  const protocol = new Http2Protocol(runOptions.options ?? {});
  const records: Http2Exchange[] = [];
  const parser = protocol.create(CONNECTION, { emit: (record) => records.push(record as Http2Exchange) });
  actions.forEach((action, index) => {
    if (!isStep(action)) {
      if ('close' in action) parser.close(action.close);
      else parser.idle(action.idle);
      return;
    }
    const egress = (action.dir === 'request') === (side === 'client');
    const direction = egress ? Direction.Egress : Direction.Ingress;
    const timestampNs = stepTs(action, index);
    let offset = 0;
    let first = true;
    const pieces = action.bytes.length === 0 ? [0] : chunking(index, action.bytes.length);
    for (const length of pieces) {
      const bytes = new Uint8Array(action.bytes.subarray(offset, offset + length));
      parser.push({ direction, timestampNs, bytes, gapBefore: first ? (action.gap ?? 0) : 0, tid: action.tid ?? 7 });
      bytes.fill(0x5a);
      offset += length;
      first = false;
    }
  });
  return { records, stats: protocol.stats };
}

/** Every chunking (one byte at a time, every two-way split of every step, random) gives the whole-chunk records. */
export function assertChunkingInvariant2(
  actions: readonly Action[],
  options: Http2Options = {},
  randomRuns = 20,
): Run2Result {
  const reference = run2(actions, { options });
  const expected = canonical(reference.records as never[]);
  const check = (chunking: Chunking, label: string): void => {
    const got = run2(actions, { options, chunking });
    assert.deepEqual(canonical(got.records as never[]), expected, label);
  };
  check(bytewise, 'one byte at a time');
  actions.forEach((action, index) => {
    if (!isStep(action)) return;
    for (let at = 1; at < action.bytes.length; at++) check(splitAt(index, at), `step ${index} split at ${at}`);
  });
  for (let seed = 1; seed <= randomRuns; seed++)
    check(randomChunking(seed, 1 + (seed % 40)), `random chunking ${seed}`);
  return reference;
}

export function assertSidesAgree2(actions: readonly Action[], options: Http2Options = {}): void {
  const client = run2(actions, { side: 'client', options });
  const server = run2(actions, { side: 'server', options });
  assert.deepEqual(canonical(server.records as never[], true), canonical(client.records as never[], true));
  for (const record of client.records) assert.equal(record.side, 'client');
  for (const record of server.records) assert.equal(record.side, 'server');
}

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
  const text = fs.readFileSync(path.join(FIXTURES, `${name}.stream.json`), 'utf8');
  const fixture = JSON.parse(text) as { steps: { dir: 'request' | 'response'; base64: string }[] };
  return fixture.steps.map((step) => ({ dir: step.dir, bytes: Buffer.from(step.base64, 'base64') }));
}
