/**
 * plaintap's HPACK decoder next to hpack.js (npm; the decoder of the `spdy` server stack) on the
 * header blocks of the http2-replay session (h2load's requests, nginx's responses, recorded by
 * the agent from a real nginx): every block decoded by both from a fresh table per connection
 * direction, and the decoded fields checked identical; then each decodes all of them, rounds
 * interleaved, pinned to one CPU; median blocks/s and the ratio printed. hpack.js is used
 * through its own API (write, execute, read). Figures only, never assertions.
 *
 *   npm run bench -- hpack-compare
 *   node dist-test/test/bench/hpack-compare.bench.js [--file F.ptap] [--rounds 9] [--cpus 0]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import hpack from 'hpack.js';
import { Direction } from '../../agent/capture/captured-event';
import type { HttpHeader } from '../../agent/exchange/http-headers';
import { HpackDecoder } from '../../agent/protocols/http2/hpack/hpack-decoder';
import { formatNumber, loadAverage, median, table } from './bench-support';
import { numberOption, option } from './pinned-runs';
import { recordedHeaderBlocks, type HeaderBlockStream } from './recorded-header-blocks';
import { cachedH2loadSession } from './record-nginx-session';

/** HEADER_TABLE_SIZE both peers kept (the default: neither h2load nor nginx changes it). */
const TABLE_SIZE = 4096;

type Decode = (stream: HeaderBlockStream) => number;

/** plaintap: fields decoded from a stream's blocks, with a fresh table. */
const plaintap: Decode = (stream) => {
  const decoder = new HpackDecoder();
  let fields = 0;
  for (const block of stream.blocks) fields += decoder.decode(block, 0, block.length).headers.length;
  return fields;
};

const hpackJs: Decode = (stream) => {
  const decoder = hpack.decompressor.create({ table: { maxSize: TABLE_SIZE } });
  let fields = 0;
  for (const block of stream.blocks) {
    decoder.write(block);
    decoder.execute();
    while (decoder.read() !== null) fields++;
  }
  return fields;
};

/** Both decoders over every block; the first difference throws. */
function checkIdentical(streams: readonly HeaderBlockStream[]): { blocks: number; fields: number } {
  let blocks = 0;
  let fields = 0;
  for (const stream of streams) {
    const ours = new HpackDecoder();
    const theirs = hpack.decompressor.create({ table: { maxSize: TABLE_SIZE } });
    stream.blocks.forEach((block, i) => {
      const result = ours.decode(block, 0, block.length);
      if (result.error !== undefined || result.unknown > 0)
        throw new Error(`${stream.name} block ${i}: ${result.error ?? 'unknown fields'}`);
      theirs.write(block);
      theirs.execute();
      const expected: HttpHeader[] = [];
      for (let field = theirs.read(); field !== null; field = theirs.read()) expected.push([field.name, field.value]);
      if (JSON.stringify(result.headers) !== JSON.stringify(expected))
        throw new Error(
          `${stream.name} block ${i} differs:\n plaintap ${JSON.stringify(result.headers)}\n hpack.js ${JSON.stringify(expected)}`,
        );
      blocks++;
      fields += expected.length;
    });
  }
  return { blocks, fields };
}

function seconds(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const rounds = numberOption('rounds', 9);
  const cpus = option('cpus') ?? '0';
  const file = option('file') ?? (await cachedH2loadSession((line) => process.stderr.write(`${line}\n`)));
  // Every thread of this process (the collector's too) on the chosen CPU.
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  const streams = recordedHeaderBlocks(file);
  const same = checkIdentical(streams);
  const load = loadAverage();

  const sets = [
    { name: 'requests (h2load)', streams: streams.filter((s) => s.direction === Direction.Ingress) },
    { name: 'responses (nginx)', streams: streams.filter((s) => s.direction === Direction.Egress) },
  ].map((set) => ({
    ...set,
    blocks: set.streams.reduce((sum, s) => sum + s.blocks.length, 0),
    rates: { plaintap: [] as number[], hpackJs: [] as number[] },
  }));
  // Round 0 warms the JIT up.
  for (let round = 0; round <= rounds; round++) {
    for (const set of sets) {
      for (const name of ['plaintap', 'hpackJs'] as const) {
        const decode = name === 'plaintap' ? plaintap : hpackJs;
        const time = seconds(() => set.streams.forEach(decode));
        if (round > 0) set.rates[name].push(set.blocks / time);
      }
    }
  }
  console.log(`\nmachine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  console.log(`load average before: ${load}; after: ${loadAverage()}`);
  console.log(
    `session: ${file}: ${streams.length} connection directions, ${formatNumber(same.blocks)} header blocks, ${formatNumber(same.fields)} fields`,
  );
  console.log(
    `decoded fields identical (plaintap, hpack.js ${hpackVersion()}): ${formatNumber(same.blocks)} of ${formatNumber(same.blocks)} blocks`,
  );
  console.log(`pinned to CPU ${cpus}; ${rounds} interleaved rounds after one warm-up, medians\n`);
  const rows = sets.map((set) => {
    const ours = median(set.rates.plaintap);
    const theirs = median(set.rates.hpackJs);
    return [
      `${set.name}: ${formatNumber(set.blocks)}`,
      formatNumber(ours),
      formatNumber(theirs),
      `${formatNumber(ours / theirs, 1)}×`,
    ];
  });
  console.log(table(['header blocks', 'plaintap blocks/s', 'hpack.js blocks/s', 'plaintap / hpack.js'], rows));
}

function hpackVersion(): string {
  const manifest = fs.readFileSync(require.resolve('hpack.js/package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
