/**
 * Mutation fuzz of the HTTP/2 parser: recorded fixtures (test/fixtures/http2) with bytes flipped,
 * inserted, deleted, duplicated and spliced, fed in random chunks from either side. Reports
 * cases, crashes (exceptions), hangs (one input over a time bound) and the peak heap. A short
 * seeded run is part of the unit tests; the full run is on demand:
 *
 *   npm run build:test && node dist-test/test/fuzz/http2-mutation-fuzz.js [iterations] [seed]
 */
import fs from 'node:fs';
import path from 'node:path';
import { Direction } from '../../agent/capture/captured-event';
import { Http2Protocol } from '../../agent/protocols/http2/http2-protocol';
import { CONNECTION, loadStreamFixture, prng, type Step } from '../support/stream-script';

export interface FuzzReport {
  readonly cases: number;
  readonly crashes: { readonly seed: number; readonly iteration: number; readonly error: string }[];
  readonly hangs: number;
  /** The most CPU one input took. */
  readonly maxInputCpuMs: number;
  readonly records: number;
  readonly peakHeapBytes: number;
  readonly seconds: number;
}

/**
 * An input's longest allowed CPU time: far above any real input, so only loops trip it. CPU time,
 * not wall time: on a shared machine a process can wait seconds for a core.
 */
const HANG_CPU_MS = 2000;

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http2');

function loadFixtures(): Step[][] {
  return fs
    .readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.stream.json'))
    .sort()
    .map((name) => loadStreamFixture(FIXTURES, name.slice(0, -'.stream.json'.length)));
}

function mutate(bytes: Uint8Array, random: () => number, donor: Uint8Array): Uint8Array {
  let out = Buffer.from(bytes);
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = Math.floor(random() * out.length);
    switch (Math.floor(random() * 7)) {
      case 0:
        out[at] = (out[at] as number) ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        out[at] = Math.floor(random() * 256);
        break;
      case 2:
        // Interesting values where lengths and indexes live.
        out[at] = [0x00, 0xff, 0x7f, 0x80, 0x3f, 0x40, 0x20][Math.floor(random() * 7)] as number;
        break;
      case 3:
        out = Buffer.concat([
          out.subarray(0, at),
          out.subarray(Math.min(out.length, at + 1 + Math.floor(random() * 16))),
        ]);
        break;
      case 4: {
        const insert = Buffer.alloc(1 + Math.floor(random() * 16));
        for (let i = 0; i < insert.length; i++) insert[i] = Math.floor(random() * 256);
        out = Buffer.concat([out.subarray(0, at), insert, out.subarray(at)]);
        break;
      }
      case 5: {
        const length = Math.min(out.length - at, 1 + Math.floor(random() * 64));
        out = Buffer.concat([out.subarray(0, at + length), out.subarray(at, at + length), out.subarray(at + length)]);
        break;
      }
      default: {
        const from = Math.floor(random() * Math.max(1, donor.length));
        out = Buffer.concat([out.subarray(0, at), donor.subarray(from, from + 1 + Math.floor(random() * 64))]);
      }
    }
  }
  return out;
}

export function runFuzz(iterations: number, seed: number): FuzzReport {
  const fixtures = loadFixtures();
  const started = process.hrtime.bigint();
  const crashes: { seed: number; iteration: number; error: string }[] = [];
  let hangs = 0;
  let maxInputCpuMs = 0;
  let records = 0;
  let peakHeapBytes = process.memoryUsage().heapUsed;
  const protocol = new Http2Protocol({ maxOpenStreams: 100, maxEarlyResets: 50, maxEmptyDataFrames: 100 });
  for (let iteration = 0; iteration < iterations; iteration++) {
    const random = prng(seed * 1_000_003 + iteration);
    const fixture = fixtures[Math.floor(random() * fixtures.length)] as Step[];
    const donorFixture = fixtures[Math.floor(random() * fixtures.length)] as Step[];
    const donor = (donorFixture[Math.floor(random() * donorFixture.length)] as Step).bytes;
    const clientSide = random() < 0.5;
    const cpu0 = process.cpuUsage();
    try {
      const parser = protocol.create(CONNECTION, { emit: () => records++ });
      let ts = 1_000_000n;
      for (const step of fixture) {
        const bytes = random() < 0.3 ? mutate(step.bytes, random, donor) : step.bytes;
        const direction = (step.dir === 'request') === clientSide ? Direction.Egress : Direction.Ingress;
        let offset = 0;
        while (offset < bytes.length) {
          const length = random() < 0.5 ? bytes.length - offset : 1 + Math.floor(random() * 64);
          const gapBefore = random() < 0.01 ? 1 + Math.floor(random() * 100) : 0;
          parser.push({
            direction,
            timestampNs: ts,
            bytes: bytes.subarray(offset, offset + length),
            gapBefore,
            tid: 1,
          });
          offset += length;
        }
        ts += 1_000_000n;
      }
      if (random() < 0.5) parser.idle(ts + 60_000_000_000n);
      parser.close(ts + 120_000_000_000n);
    } catch (error) {
      crashes.push({ seed, iteration, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
    const cpu = process.cpuUsage(cpu0);
    const inputCpuMs = (cpu.user + cpu.system) / 1000;
    if (inputCpuMs > maxInputCpuMs) maxInputCpuMs = inputCpuMs;
    if (inputCpuMs > HANG_CPU_MS) hangs++;
    if ((iteration & 1023) === 0) {
      const heap = process.memoryUsage().heapUsed;
      if (heap > peakHeapBytes) peakHeapBytes = heap;
    }
  }
  const heap = process.memoryUsage().heapUsed;
  if (heap > peakHeapBytes) peakHeapBytes = heap;
  return {
    cases: iterations,
    crashes,
    hangs,
    maxInputCpuMs,
    records,
    peakHeapBytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

if (require.main === module) {
  const iterations = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 1);
  const report = runFuzz(iterations, seed);
  console.log(
    `http2 mutation fuzz: ${report.cases} cases (seed ${seed}), ${report.crashes.length} crashes, ${report.hangs} hangs (most CPU for one input ${report.maxInputCpuMs.toFixed(1)} ms), ` +
      `${report.records} records, peak heap ${(report.peakHeapBytes / 1048576).toFixed(1)} MiB, ${report.seconds.toFixed(1)} s`,
  );
  for (const crash of report.crashes.slice(0, 5)) console.log(`crash at iteration ${crash.iteration}: ${crash.error}`);
  if (report.crashes.length > 0 || report.hangs > 0) process.exitCode = 1;
}
