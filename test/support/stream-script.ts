/**
 * Scripted byte streams for protocol unit tests: a script of steps (bytes the client sent, bytes
 * the server sent, idle, close) fed to a protocol's parser whole, one byte at a time, split at
 * every byte or in random chunks, from the client's side or the server's, and the records it
 * emits collected. `protocolHarness` binds these to one protocol.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Direction, type ConnectionFacts } from '../../agent/capture/captured-event';
import type { OutputRecord } from '../../agent/exchange/output-record';
import type { RecordSink, ProtocolParser } from '../../agent/protocols/protocol';
import { facts } from './captured-events';

/** The connection every scripted stream runs on. */
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

export function isStep(action: Action): action is Step {
  return 'dir' in action;
}

export function stepTs(action: Step, index: number): bigint {
  return action.ts ?? 1_000_000n + 1000n * BigInt(index);
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

/** Records as plain data: bigints as strings, bytes as latin1 text; side and direction dropped when asked (the sender stays). */
export function canonical(records: readonly object[], dropSide = false): unknown {
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

/** The steps of a recorded stream (`<dir>/<name>.stream.json`, as test/bench/*-record-fixtures.ts write them). */
export function loadStreamFixture(dir: string, name: string): Step[] {
  const text = fs.readFileSync(path.join(dir, `${name}.stream.json`), 'utf8');
  const fixture = JSON.parse(text) as { steps: { dir: 'request' | 'response'; base64: string }[] };
  return fixture.steps.map((step) => ({ dir: step.dir, bytes: Buffer.from(step.base64, 'base64') }));
}

/** What a protocol under test must offer: a parser per connection, and its statistics. */
export interface ScriptedProtocol<S> {
  create(connection: ConnectionFacts, sink: RecordSink): ProtocolParser;
  readonly stats: S;
}

export interface RunOptions<O> {
  readonly side?: 'client' | 'server';
  readonly chunking?: Chunking;
  readonly options?: O;
}

export interface RunResult<R, P extends ScriptedProtocol<unknown>> {
  readonly records: R[];
  readonly stats: P['stats'];
  readonly protocol: P;
}

export interface ProtocolHarness<R, O, P extends ScriptedProtocol<unknown>> {
  /** Feeds the script to a fresh protocol instance and collects what it emits. */
  run(actions: readonly Action[], runOptions?: RunOptions<O>): RunResult<R, P>;
  /**
   * Asserts that every chunking gives the records of the whole-chunk run: one byte at a time,
   * every two-way split of every step, `randomRuns` random chunkings. Returns the reference run.
   */
  assertChunkingInvariant(actions: readonly Action[], options?: O, randomRuns?: number): RunResult<R, P>;
  /** The same script captured on the client and on the server gives the same records, sides flipped. */
  assertSidesAgree(actions: readonly Action[], options?: O): void;
}

/**
 * Binds the stream-script runner to one protocol: `create(options)` makes a fresh instance,
 * `defaultOptions` when a run names none; `R` is the kind of record the protocol emits.
 */
export function protocolHarness<
  R extends { readonly side: 'client' | 'server' },
  O,
  P extends ScriptedProtocol<unknown>,
>(create: (options: O) => P, defaultOptions: O, defaultRandomRuns: number): ProtocolHarness<R, O, P> {
  const run = (actions: readonly Action[], runOptions: RunOptions<O> = {}): RunResult<R, P> => {
    const side = runOptions.side ?? 'client';
    const chunking = runOptions.chunking ?? whole;
    const protocol = create(runOptions.options ?? defaultOptions);
    const records: R[] = [];
    const parser = protocol.create(CONNECTION, {
      emit: (record: OutputRecord) => records.push(record as unknown as R),
    });
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
  };

  return {
    run,
    assertChunkingInvariant(actions, options = defaultOptions, randomRuns = defaultRandomRuns) {
      const reference = run(actions, { options });
      const expected = canonical(reference.records);
      const check = (chunking: Chunking, label: string): void => {
        const got = run(actions, { options, chunking });
        assert.deepEqual(canonical(got.records as object[]), expected, label);
      };
      check(bytewise, 'one byte at a time');
      actions.forEach((action, index) => {
        if (!isStep(action)) return;
        for (let at = 1; at < action.bytes.length; at++) check(splitAt(index, at), `step ${index} split at ${at}`);
      });
      for (let seed = 1; seed <= randomRuns; seed++)
        check(randomChunking(seed, 1 + (seed % 40)), `random chunking ${seed}`);
      return reference;
    },
    assertSidesAgree(actions, options = defaultOptions) {
      const client = run(actions, { side: 'client', options });
      const server = run(actions, { side: 'server', options });
      assert.deepEqual(canonical(server.records as object[], true), canonical(client.records as object[], true));
      for (const record of client.records) assert.equal(record.side, 'client');
      for (const record of server.records) assert.equal(record.side, 'server');
    },
  };
}
