/**
 * HTTP/2 processing speed on a real session: Debian's nginx (`listen … ssl http2`) loaded by
 * h2load (nghttp2-client, 20,000 requests, 4 connections, 10 streams each) while the real agent
 * recorded it (`plaintap record --comm nginx`, kept in ~/.cache/plaintap/bench), replayed the
 * way `plaintap replay FILE --output none` runs it: capture decoder → processor → HTTP/2
 * (frames, HPACK, streams, exchange records) → redaction, no export. The replay runs in a child
 * pinned to one CPU (taskset), warm-up runs first, a run disturbed by other processes repeated;
 * median exchanges/s printed. Figures only, never assertions.
 *
 *   npm run bench -- http2-replay
 *   node dist-test/test/bench/http2-replay.bench.js [--file F.ptap] [--runs 7] [--warmups 2] [--cpus 0]
 */
import os from 'node:os';
import { formatNumber, loadAverage, median, table } from './bench-support';
import { measureRuns, numberOption, option, perSecond, runPinned } from './pinned-runs';
import { cachedH2loadSession } from './record-nginx-session';
import { measureReplayPipeline } from './replay-pipeline-run';

async function measure(): Promise<void> {
  const file = option('file') ?? '';
  await measureRuns('http2-replay', () => measureReplayPipeline({ file }), {
    runs: numberOption('runs', 7),
    warmups: numberOption('warmups', 2),
  });
}

async function main(): Promise<void> {
  const runs = numberOption('runs', 7);
  const warmups = numberOption('warmups', 2);
  const cpus = option('cpus') ?? '0';
  const file = option('file') ?? (await cachedH2loadSession((line) => process.stderr.write(`${line}\n`)));
  const load = loadAverage();
  const figures = await runPinned(__filename, cpus, [
    '--measure',
    '--file',
    file,
    '--runs',
    String(runs),
    '--warmups',
    String(warmups),
  ]);
  const measured = figures.filter((f) => !f.warmup);
  const first = measured[0];
  if (first === undefined) throw new Error('no measured run');
  console.log(`\nmachine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  console.log(`load average before: ${load}; after: ${loadAverage()}`);
  console.log(
    `session: ${file}: ${formatNumber(first.items)} HTTP/2 exchanges, ${formatNumber(first.payloadBytes / 1e6, 1)} MB of captured payload`,
  );
  console.log(`replay pinned to CPU ${cpus}, no export; ${runs} runs after ${warmups} warm-up runs, medians\n`);
  const rows = [
    [
      formatNumber(median(measured.map(perSecond))),
      formatNumber(median(measured.map((f) => f.items / f.cpuSeconds))),
      formatNumber(median(measured.map((f) => f.payloadBytes / 1e6 / f.seconds)), 1),
      formatNumber(median(measured.map((f) => (f.seconds * 1e6) / f.items)), 2),
      formatNumber(median(measured.map((f) => f.cpuSeconds / f.seconds)), 2),
      formatNumber(median(measured.map((f) => f.otherCpuSeconds / f.seconds)), 2),
      measured.map((f) => formatNumber(perSecond(f) / 1000, 0)).join(' '),
    ],
  ];
  console.log(
    table(['exchanges/s', 'per CPU-second', 'MB/s', 'µs/exchange', 'CPU (cores)', 'other CPU', 'runs (k/s)'], rows),
  );
  console.log(
    '\nper CPU-second: exchanges per second of CPU this process used (the rate on a core of its own, when the machine is shared).',
  );
  console.log('other CPU: cores the rest of the machine kept busy during a run (a disturbed run is repeated).');
}

(process.argv.includes('--measure') ? measure() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
