/**
 * Drives the HTTP/1 protocol with scripted byte streams: the same script can
 * be fed whole, one byte at a time, split at every byte, or in random
 * chunks, from the client's side or the server's, and the records compared.
 */
import { facts } from '../../../support/captured-events';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Direction } from '../../../../agent/capture/captured-event';
import type { HttpExchange } from '../../../../agent/exchange/http-exchange';
import type { WebSocketMessage } from '../../../../agent/exchange/websocket-message';
import { createHttp1Protocol, type Http1Protocol } from '../../../../agent/protocols/http1/http1-protocol';
import type { Http1Options } from '../../../../agent/protocols/http1/http1-options';
import type { Http1Stats } from '../../../../agent/protocols/http1/http1-stats';

export const CONNECTION = facts({
  pid: 4242,
  tid: 4243,
  sockId: 0xffff888000001000n,
  localAddress: '10.0.0.1',
  remoteAddress: '10.0.0.2',
});

/** Bytes of one direction: 'request' flows from client to server. */
export interface Step {
  readonly dir: 'request' | 'response';
  readonly bytes: Uint8Array;
  /** Default: 1_000_000n + 1000n × the step's index. */
  readonly ts?: bigint;
  /** Bytes lost right before this step. */
  readonly gap?: number;
  readonly tid?: number;
}

export type Action = Step | { readonly close: bigint } | { readonly idle: bigint };

/** Piece lengths for a step's bytes (they must sum to its length). */
export type Chunking = (stepIndex: number, length: number) => readonly number[];

export type Http1Record = HttpExchange | WebSocketMessage;

export const whole: Chunking = (_step, length) => [length];
export const bytewise: Chunking = (_step, length) => new Array<number>(length).fill(1);

export function req(text: string | Uint8Array, extra: Omit<Step, 'dir' | 'bytes'> = {}): Step {
  return { dir: 'request', bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text, ...extra };
}

export function res(text: string | Uint8Array, extra: Omit<Step, 'dir' | 'bytes'> = {}): Step {
  return { dir: 'response', bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text, ...extra };
}

export function concat(...parts: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));
}

export interface RunResult {
  readonly records: Http1Record[];
  readonly stats: Http1Stats;
  readonly protocol: Http1Protocol;
}

export interface RunOptions {
  readonly side?: 'client' | 'server';
  readonly chunking?: Chunking;
  readonly options?: Http1Options;
}

function isStep(action: Action): action is Step {
  return 'dir' in action;
}

export function stepTs(action: Step, index: number): bigint {
  return action.ts ?? 1_000_000n + 1000n * BigInt(index);
}

/** Feeds the script to a fresh protocol instance and collects what it emits. */
export function run(actions: readonly Action[], runOptions: RunOptions = {}): RunResult {
  const side = runOptions.side ?? 'client';
  const chunking = runOptions.chunking ?? whole;
  const protocol = createHttp1Protocol(runOptions.options ?? {});
  const records: Http1Record[] = [];
  const parser = protocol.create(CONNECTION, { emit: (record) => records.push(record as unknown as Http1Record) });
  actions.forEach((action, index) => {
    if (!isStep(action)) {
      if ('close' in action) parser.close(action.close);
      else parser.idle(action.idle);
      return;
    }
    // The client writes requests: on the client side that is Egress.
    const egress = (action.dir === 'request') === (side === 'client');
    const direction = egress ? Direction.Egress : Direction.Ingress;
    const timestampNs = stepTs(action, index);
    let offset = 0;
    let first = true;
    const pieces = action.bytes.length === 0 ? [0] : chunking(index, action.bytes.length);
    for (const length of pieces) {
      // A copy per piece: the parser must not keep views of what it was pushed.
      const bytes = new Uint8Array(action.bytes.subarray(offset, offset + length));
      parser.push({ direction, timestampNs, bytes, gapBefore: first ? (action.gap ?? 0) : 0, tid: action.tid ?? 7 });
      // Scribble over the pushed bytes: a parser that kept the view would now see garbage.
      bytes.fill(0x5a);
      offset += length;
      first = false;
    }
    assert.equal(offset, action.bytes.length, 'chunking must cover the step');
  });
  return { records, stats: protocol.stats, protocol };
}

/** Records as plain data: bigints as strings, bytes as latin1 text; side and direction dropped when asked (the sender stays). */
export function canonical(records: readonly Http1Record[], dropSide = false): unknown {
  const convert = (value: unknown): unknown => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('latin1')}`;
    if (Array.isArray(value)) return value.map(convert);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(value)) {
        if (key === 'connection') continue;
        if (dropSide && (key === 'side' || key === 'direction')) continue;
        out[key] = convert(field);
      }
      return out;
    }
    return value;
  };
  return records.map(convert);
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomChunking(seed: number, maxPiece = 17): Chunking {
  const random = prng(seed);
  return (_step, length) => {
    const pieces: number[] = [];
    let left = length;
    while (left > 0) {
      const piece = Math.min(left, 1 + Math.floor(random() * maxPiece));
      pieces.push(piece);
      left -= piece;
    }
    return pieces;
  };
}

/** Splits one step at `at` (others whole). */
export function splitAt(stepIndex: number, at: number): Chunking {
  return (step, length) => (step === stepIndex && at > 0 && at < length ? [at, length - at] : [length]);
}

/**
 * Asserts that every chunking gives the records of the whole-chunk run:
 * one byte at a time, every two-way split of every step, random chunkings.
 * Returns the reference run.
 */
export function assertChunkingInvariant(
  actions: readonly Action[],
  options: Http1Options = {},
  randomRuns = 30,
): RunResult {
  const reference = run(actions, { options });
  const expected = canonical(reference.records);
  const check = (chunking: Chunking, label: string): void => {
    const got = run(actions, { options, chunking });
    assert.deepEqual(canonical(got.records), expected, label);
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

/** The same script captured on the client and on the server gives the same records, sides flipped. */
export function assertSidesAgree(actions: readonly Action[], options: Http1Options = {}): void {
  const client = run(actions, { side: 'client', options });
  const server = run(actions, { side: 'server', options });
  assert.deepEqual(canonical(server.records, true), canonical(client.records, true));
  for (const record of client.records) assert.equal(record.side, 'client');
  for (const record of server.records) assert.equal(record.side, 'server');
}

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/http1');

/** A recorded stream (test/fixtures/http1/<name>.stream.json) as steps. */
export function loadFixture(name: string): Step[] {
  const text = fs.readFileSync(path.join(FIXTURES, `${name}.stream.json`), 'utf8');
  const fixture = JSON.parse(text) as { steps: { dir: 'request' | 'response'; base64: string }[] };
  return fixture.steps.map((step) => ({ dir: step.dir, bytes: Buffer.from(step.base64, 'base64') }));
}

export function exchanges(records: readonly Http1Record[]): HttpExchange[] {
  return records.filter((record): record is HttpExchange => record.kind === 'http1.exchange');
}

export function text(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '' : Buffer.from(bytes).toString('latin1');
}
