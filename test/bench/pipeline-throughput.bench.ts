/**
 * Pipeline throughput: a real recorded session (nginx under wrk, captured by the agent) replayed
 * through decode → processor → HTTP/1 → redaction → OTLP export to a local gRPC sink, next to the
 * OpenTelemetry SDK alone exporting the same number of records, in the same run:
 *
 *   sdk          the SDK alone (sdk-alone-export.ts), records shaped like plaintap's
 *   export       plaintap replay --output none --otlp-endpoint SINK (the agent's own parts, in process)
 *   export-main  the same with the exporter's SDK side on the main thread (exportThread: 'main')
 *   processing   plaintap replay --output none (no export)
 *
 * Each mode runs in a child process pinned with taskset: "one core" = CPU 0, "both cores" =
 * CPUs 0-1; the sink (otlp-count-sink-process.ts) always runs in its own process on CPU 1. Every
 * child makes --warmups warm-up runs (2: the JIT settles) and then --runs measured ones; a run
 * that other processes on the machine disturbed is repeated; medians and ratios are printed.
 * Figures only, never assertions.
 *
 *   npm run bench -- pipeline-throughput
 *   node dist-test/test/bench/pipeline-throughput.bench.js [--file F.ptap] [--record-seconds 10] [--runs 5]
 *        [--warmups 2] [--modes processing,sdk,export,export-main] [--cpus 0/0-1] [--merge-batches K]
 *        [--sdk-attributes 0,5,10,28]
 *
 * --merge-batches K replays the session with K recorded batches joined into one (the same bytes
 * in fewer, larger calls: what the batch size costs per call). --sdk-attributes runs the SDK alone
 * again with only the first N attributes of the record (how its rate depends on the shape).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { formatNumber, median, table } from './bench-support';
import { mergeRecordBatches } from './merge-record-batches';
import { forkOtlpCountSink } from './otlp-count-sink-process';
import {
  measureRuns,
  numberOption,
  option,
  perSecond,
  runPinned,
  type RunFigures,
  type RunMeasurement,
} from './pinned-runs';
import { recordNginxSession } from './record-nginx-session';
import { firstExchangeTemplate, measureReplayPipeline, runReplayPipeline } from './replay-pipeline-run';
import { runSdkAlone, type LogRecordTemplate } from './sdk-alone-export';

type Mode = 'processing' | 'sdk' | 'export' | 'export-main';
const MODES: readonly Mode[] = ['processing', 'sdk', 'export', 'export-main'];
const LABEL: Record<Mode, string> = {
  sdk: 'SDK alone',
  export: 'plaintap → OTLP',
  'export-main': 'plaintap → OTLP, main thread',
  processing: 'plaintap, no export',
};

// ---- child: measure one mode ------------------------------------------------------------------

async function measure(): Promise<void> {
  const mode = option('measure') as Mode;
  const file = option('file') ?? '';
  const endpoint = option('endpoint') ?? '';
  const count = numberOption('count', 0);
  const template = mode === 'sdk' ? (JSON.parse(option('template') ?? '{}') as LogRecordTemplate) : undefined;
  const runOnce = async (): Promise<RunMeasurement> => {
    if (mode === 'sdk' && template) {
      const r = await runSdkAlone({ endpoint, count, template });
      return {
        items: r.records,
        records: r.records,
        payloadBytes: 0,
        seconds: r.seconds,
        cpuSeconds: r.cpuSeconds,
        exported: r.records,
        dropped: 0,
        failed: 0,
      };
    }
    return measureReplayPipeline({
      file,
      ...(mode === 'processing' ? {} : { endpoint }),
      ...(mode === 'export-main' ? { exportThread: 'main' as const } : {}),
    });
  };
  await measureRuns(mode, runOnce, {
    runs: numberOption('runs', 5),
    warmups: numberOption('warmups', 2),
    sinkPid: numberOption('sink-pid', 0),
  });
}

// ---- parent: record, start the sink, run every mode on every CPU set ---------------------------

interface ModeResult {
  readonly mode: Mode;
  readonly cpus: string;
  readonly runs: readonly RunFigures[];
}

async function main(): Promise<void> {
  const runs = numberOption('runs', 5);
  const warmups = numberOption('warmups', 2);
  const modes = (option('modes')?.split(',') ?? MODES) as Mode[];
  const cpuSets = option('cpus')?.split('/') ?? ['0', '0-1'];
  let file = option('file');
  if (file === undefined) {
    const seconds = numberOption('record-seconds', 10);
    process.stderr.write(`recording nginx under wrk for ${seconds} s …\n`);
    const session = await recordNginxSession({ tool: 'wrk', seconds, connections: 16 });
    process.stderr.write(
      `recorded ${session.file} at ${formatNumber(session.requestsPerSecond)} req/s: ${session.summary}\n`,
    );
    file = session.file;
  }
  const merge = numberOption('merge-batches', 1);
  if (merge > 1) {
    file = mergeRecordBatches(file, merge);
    process.stderr.write(`replaying ${file}: ${merge} recorded batches per batch\n`);
  }
  const template = await firstExchangeTemplate(file);
  const sink = await forkOtlpCountSink();
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(sink.pid)], { stdio: 'ignore' });

  const results: ModeResult[] = [];
  const sdkAttributeCounts = option('sdk-attributes')?.split(',').map(Number) ?? [];
  const sdkByAttributes: Array<[number, RunFigures[]]> = [];
  let count = 0;
  try {
    /** The arguments of one pinned measuring child (`count` as it stands when called). */
    const measureArgs = (mode: string): string[] => [
      '--measure',
      mode,
      '--file',
      file,
      '--endpoint',
      sink.endpoint,
      '--runs',
      String(runs),
      '--sink-pid',
      String(sink.pid),
      '--count',
      String(count),
      '--warmups',
      String(warmups),
    ];
    for (const cpus of cpuSets) {
      // Processing first: it tells how many records the SDK-alone run must export.
      for (const mode of [...modes].sort((a, b) => (a === 'processing' ? -1 : b === 'processing' ? 1 : 0))) {
        if (mode === 'sdk' && count === 0) count = (await runReplayPipeline({ file })).records;
        const before = (await sink.counts()).records;
        const args = measureArgs(mode);
        if (mode === 'sdk') args.push('--template', JSON.stringify(template));
        const figures = await runPinned(__filename, cpus, args);
        const measured = figures.filter((f) => !f.warmup);
        if (mode === 'processing' && count === 0) count = measured[0]?.records ?? 0;
        const exported = figures.reduce((sum, f) => sum + f.exported, 0);
        const arrived = (await sink.counts()).records - before;
        if (arrived !== exported)
          process.stderr.write(`warning: ${mode}: the sink counted ${arrived} records, the exporter ${exported}\n`);
        for (const f of measured)
          if (f.dropped > 0 || f.failed > 0)
            process.stderr.write(`warning: ${mode}: ${f.dropped} dropped, ${f.failed} failed\n`);
        results.push({ mode, cpus, runs: measured });
        const rates = measured.map((f) => formatNumber(perSecond(f))).join(' ');
        process.stderr.write(`cpus ${cpus} ${mode}: ${rates} /s\n`);
      }
    }
    // The SDK alone with fewer attributes per record: how its rate depends on the record's shape.
    for (const attributes of sdkAttributeCounts) {
      if (count === 0) count = (await runReplayPipeline({ file })).records;
      const trimmed: LogRecordTemplate = {
        ...template,
        attributes: Object.fromEntries(Object.entries(template.attributes).slice(0, attributes)),
      };
      const args = [...measureArgs('sdk'), '--template', JSON.stringify(trimmed)];
      const measured = (await runPinned(__filename, '0', args)).filter((f) => !f.warmup);
      sdkByAttributes.push([attributes, measured]);
      process.stderr.write(
        `cpus 0 sdk, ${attributes} attributes: ${measured.map((f) => formatNumber(perSecond(f))).join(' ')} /s\n`,
      );
    }
  } finally {
    await sink.stop();
  }

  const first = results.find((r) => r.mode !== 'sdk')?.runs[0];
  console.log(`\nmachine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  if (first) {
    console.log(
      `session: ${file}: ${formatNumber(first.items)} HTTP exchanges, ${formatNumber(first.payloadBytes / 1e6, 1)} MB of captured payload`,
    );
  }
  console.log(
    `sink: grpc-js, counting records without decoding them, own process on CPU 1; ${runs} runs per mode after ${warmups} warm-up runs, medians\n`,
  );
  const rows: string[][] = [];
  for (const cpus of cpuSets) {
    const sdk = results.find((r) => r.cpus === cpus && r.mode === 'sdk');
    const sdkRate = sdk ? median(sdk.runs.map(perSecond)) : 0;
    for (const result of results.filter((r) => r.cpus === cpus)) {
      const rate = median(result.runs.map(perSecond));
      const megabytes = median(result.runs.map((f) => f.payloadBytes / 1e6 / f.seconds));
      const cores = median(result.runs.map((f) => f.cpuSeconds / f.seconds));
      const sinkCores = median(result.runs.map((f) => f.sinkCpuSeconds / f.seconds));
      const otherCores = median(result.runs.map((f) => f.otherCpuSeconds / f.seconds));
      rows.push([
        cpus === '0' ? 'one (0)' : `both (${cpus})`,
        LABEL[result.mode],
        formatNumber(rate),
        result.mode === 'sdk' ? '' : formatNumber(megabytes, 1),
        result.mode === 'processing' || sdkRate === 0 ? '' : `${formatNumber(rate / sdkRate, 2)}×`,
        formatNumber(cores, 2),
        result.mode === 'processing' ? '' : formatNumber(sinkCores, 2),
        formatNumber(otherCores, 2),
        result.runs.map((f) => formatNumber(perSecond(f) / 1000, 0)).join(' '),
      ]);
    }
  }
  console.log(
    table(['cores', 'mode', 'per second', 'MB/s', '× SDK', 'CPU (cores)', 'sink CPU', 'other CPU', 'runs (k/s)'], rows),
  );
  console.log('\nper second: HTTP exchanges for plaintap (one log record each), log records for the SDK alone.');
  console.log(
    'CPU columns: cores busy on average during a run (this process, the sink, everything else on the machine).',
  );
  if (sdkByAttributes.length > 0) {
    console.log(
      `\nSDK alone on one core by attributes per record (plaintap's records have ${Object.keys(template.attributes).length}):\n`,
    );
    const sdkRows = sdkByAttributes.map(([attributes, runs]) => [
      String(attributes),
      formatNumber(median(runs.map(perSecond))),
      runs.map((f) => formatNumber(perSecond(f) / 1000, 0)).join(' '),
    ]);
    console.log(table(['attributes', 'records/s', 'runs (k/s)'], sdkRows));
  }
}

if (process.argv.includes('--measure')) {
  measure().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
