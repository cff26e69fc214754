/**
 * One fuzz harness for every parser (HTTP/1, WebSocket, body decoders, kernel record batches, and
 * HTTP/2 + HPACK when they land): a seeded generator of cases — valid streams split at every byte
 * boundary, random bytes, mutations of valid streams (bit flips, truncation, huge and negative
 * lengths, header floods, very long lines) — a target that feeds one case to a fresh parser, and a
 * report of cases, crashes (the target threw), hangs (a case over 1 s) and peak heap. Crashing
 * inputs are written to test/fixtures/fuzz/<name>/ and replayed as regression cases by the unit
 * test that runs every fuzz script briefly in CI.
 *
 *   node dist-test/test/fuzz/<name>.fuzz.js [--cases N] [--seed S] [--save]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same cases. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 2^32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** One case: the byte pieces fed to the parser in order (one push each). */
export type FuzzCase = readonly Uint8Array[];

/** Every way to split `bytes` in two at a byte boundary: length + 1 cases. */
export function* splitsAtEveryBoundary(bytes: Uint8Array): Generator<FuzzCase> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
}

/** Random chunking of `bytes` into 1 to 8 pieces. */
export function randomChunks(bytes: Uint8Array, random: Random): FuzzCase {
  const pieces: Uint8Array[] = [];
  let offset = 0;
  const count = 1 + random.below(8);
  for (let i = 0; i < count - 1 && offset < bytes.length; i++) {
    const length = random.below(bytes.length - offset + 1);
    pieces.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  pieces.push(bytes.subarray(offset));
  return pieces;
}

const INTERESTING_NUMBERS = [
  '0',
  '-1',
  '-0',
  '1',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '99999999999999999999',
  'ffffffffffffffff',
  ' 1',
  '1 ',
  '+1',
  '0x10',
  '',
];

/** A mutated copy of `bytes`: one to four of bit flips, truncation, splices, number swaps, floods. */
export function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  let out = Buffer.from(bytes);
  const rounds = 1 + random.below(4);
  for (let round = 0; round < rounds; round++) {
    switch (random.below(9)) {
      case 0: {
        // Bit flips.
        const flips = 1 + random.below(8);
        for (let i = 0; i < flips && out.length > 0; i++) {
          const at = random.below(out.length);
          out[at] = (out[at] as number) ^ (1 << random.below(8));
        }
        break;
      }
      case 1:
        out = out.subarray(0, random.below(out.length + 1));
        break;
      case 2: {
        // Delete a range.
        const at = random.below(out.length + 1);
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + random.below(16))]);
        break;
      }
      case 3: {
        // Insert random bytes.
        const at = random.below(out.length + 1);
        out = Buffer.concat([out.subarray(0, at), random.bytes(1 + random.below(16)), out.subarray(at)]);
        break;
      }
      case 4: {
        // Replace a run of digits or hex with an interesting number (huge, negative, empty).
        const text = out.toString('latin1');
        const runs = [...text.matchAll(/[0-9a-fA-F]+/g)];
        if (runs.length === 0) break;
        const run = random.pick(runs);
        const start = run.index ?? 0;
        const replacement = Buffer.from(random.pick(INTERESTING_NUMBERS), 'latin1');
        out = Buffer.concat([out.subarray(0, start), replacement, out.subarray(start + run[0].length)]);
        break;
      }
      case 5: {
        // Insert control characters where line structure matters: bare CR, bare LF, NUL, space, tab.
        const at = random.below(out.length + 1);
        const control = Buffer.from([random.pick([0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a])]);
        out = Buffer.concat([out.subarray(0, at), control, out.subarray(at)]);
        break;
      }
      case 6: {
        // Duplicate a range (repeated headers, repeated frames).
        if (out.length === 0) break;
        const start = random.below(out.length);
        const end = Math.min(out.length, start + 1 + random.below(64));
        const times = 1 + random.below(32);
        const piece = out.subarray(start, end);
        out = Buffer.concat([out.subarray(0, end), ...Array<Buffer>(times).fill(piece), out.subarray(end)]);
        break;
      }
      case 7: {
        // A flood: many header-looking lines.
        const at = random.below(out.length + 1);
        const flood = Buffer.from('X-Flood: a\r\n'.repeat(100 + random.below(2000)), 'latin1');
        out = Buffer.concat([out.subarray(0, at), flood, out.subarray(at)]);
        break;
      }
      case 8: {
        // One very long line (up to 1 MiB here; the 10 MB case is in each script's fixed list).
        const at = random.below(out.length + 1);
        const long = Buffer.alloc(1 + random.below(1 << 20), 0x61);
        out = Buffer.concat([out.subarray(0, at), long, out.subarray(at)]);
        break;
      }
    }
  }
  return out;
}

export interface FuzzTarget {
  readonly name: string;
  /** Valid inputs: split at every boundary, chunked at random and mutated. */
  readonly seeds: readonly Uint8Array[];
  /** Fixed hostile inputs (10 MB lines, decompression bombs, …), run once each. */
  readonly fixed?: readonly FuzzCase[];
  /** Feeds one case to a fresh parser; a throw is a crash. */
  run(input: FuzzCase): void;
}

export interface FuzzReport {
  readonly name: string;
  readonly seed: number;
  readonly cases: number;
  readonly crashes: number;
  /** Cases that took longer than HANG_MS (measured: synchronous code cannot be interrupted). */
  readonly hangs: number;
  readonly slowestMs: number;
  /** Peak of JS heap + external (Buffer) memory, sampled every 256 cases and after slow ones. */
  readonly peakHeapBytes: number;
  readonly seconds: number;
  /** Crashing inputs saved (paths), and the first crash's message. */
  readonly saved: readonly string[];
  readonly firstCrash?: string;
}

export const HANG_MS = 1000;
export const FIXTURE_ROOT = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'fuzz');

/** The crashing inputs kept for `name` (regression cases), one file per case. */
export function regressionCases(name: string): FuzzCase[] {
  const dir = path.join(FIXTURE_ROOT, name);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.bin'))
    .sort()
    .map((file) => [new Uint8Array(fs.readFileSync(path.join(dir, file)))]);
}

/** Cases in a fixed order: regressions, fixed inputs, every split of every seed, then random and mutated. */
function* cases(target: FuzzTarget, random: Random): Generator<FuzzCase> {
  yield* regressionCases(target.name);
  yield* target.fixed ?? [];
  for (const seed of target.seeds) yield* splitsAtEveryBoundary(seed);
  for (;;) {
    const kind = random.below(4);
    if (kind === 0) yield [random.bytes(random.below(512))];
    else if (kind === 1) yield randomChunks(random.pick(target.seeds), random);
    else yield randomChunks(mutate(random.pick(target.seeds), random), random);
  }
}

/**
 * Runs the cases, turning the event loop every 256 of them as the agent does between record
 * batches: zlib closes a failed *Sync call's handle (and frees its output buffer) only then, so
 * a run without turns would report memory the agent never holds.
 */
export async function runFuzz(
  target: FuzzTarget,
  options: { cases: number; seed: number; save?: boolean },
): Promise<FuzzReport> {
  const random = new Random(options.seed);
  const started = process.hrtime.bigint();
  let count = 0;
  let crashes = 0;
  let hangs = 0;
  let slowestMs = 0;
  // JS heap plus Buffers (external): parsers keep bytes in both.
  const heap = (): number => {
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };
  let peakHeapBytes = heap();
  let firstCrash: string | undefined;
  const saved: string[] = [];
  for (const input of cases(target, random)) {
    if (count >= options.cases) break;
    count++;
    const caseStart = process.hrtime.bigint();
    try {
      target.run(input);
    } catch (error) {
      crashes++;
      firstCrash ??= (error as Error)?.stack ?? String(error);
      if (options.save) saved.push(saveCrash(target.name, input));
    }
    const ms = Number(process.hrtime.bigint() - caseStart) / 1e6;
    if (ms > slowestMs) slowestMs = ms;
    if (ms > HANG_MS) hangs++;
    if ((count & 0xff) === 0 || ms > 50) peakHeapBytes = Math.max(peakHeapBytes, heap());
    if ((count & 0xff) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  peakHeapBytes = Math.max(peakHeapBytes, heap());
  return {
    name: target.name,
    seed: options.seed,
    cases: count,
    crashes,
    hangs,
    slowestMs: Math.round(slowestMs),
    peakHeapBytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    saved,
    ...(firstCrash !== undefined ? { firstCrash } : {}),
  };
}

function saveCrash(name: string, input: FuzzCase): string {
  const bytes = Buffer.concat(input.map((piece) => Buffer.from(piece)));
  const file = path.join(
    FIXTURE_ROOT,
    name,
    `${crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`,
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** The command line of a fuzz script: runs the target, prints the report, exits 1 on a crash or hang. */
export async function fuzzMain(target: FuzzTarget, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const value = (flag: string, fallback: number): number => {
    const at = argv.indexOf(flag);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const report = await runFuzz(target, {
    cases: value('--cases', 100_000),
    seed: value('--seed', 1),
    save: argv.includes('--save'),
  });
  const { firstCrash, ...figures } = report;
  process.stdout.write(
    `${JSON.stringify({ ...figures, peakHeapMiB: +(report.peakHeapBytes / 2 ** 20).toFixed(1), seconds: +report.seconds.toFixed(1) })}\n`,
  );
  if (firstCrash !== undefined) process.stderr.write(`first crash:\n${firstCrash}\n`);
  process.exitCode = report.crashes > 0 || report.hangs > 0 ? 1 : 0;
}
