/**
 * Capture → export delay (issue 5, part 4): how long after an exchange ends on the wire its
 * OTLP record reaches the collector.
 *
 * nginx (one worker, TLS, keep-alive, 17-byte answers) gets GET /hello at steady rates from the
 * paced client; the agent (bin/plaintap, --pid of the nginx worker, --output none) exports
 * OTLP to a real receiver on 127.0.0.1. Per record: delay = arrival at the receiver's Export
 * handler − (record time + plaintap.duration), i.e. since the response's last byte was written
 * by nginx (both clocks are this host's wall clock; the agent maps kernel timestamps onto it).
 * Each configuration gets a fresh agent and receiver; the first BENCH_SKIP_SECONDS of records
 * (channel connect, JIT warm-up) are left out. Figures are printed, never asserted.
 *
 *   npm run bench -- latency
 *   BENCH_RATES=200,1000 BENCH_SECONDS=30 npm run bench -- latency
 */
import os from 'node:os';
import { startAgent } from '../support/agent-process';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type DecodedLogRecord } from '../support/otlp-receiver';
import { makeCertificate } from '../support/tls-fixtures';
import { agentFigures } from './agent-figures';
import { formatNumber, table } from './bench-support';
import { startLoadGenerator } from './load-generator';

const RATES = (process.env['BENCH_RATES'] ?? '200,1000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
const SKIP_SECONDS = Number(process.env['BENCH_SKIP_SECONDS'] ?? 2);

interface Config {
  readonly name: string;
  readonly args: readonly string[];
}

const CONFIGS: readonly Config[] = [
  { name: 'default batching (1 s, 512)', args: [] },
  { name: '--otlp-scheduled-delay 200ms', args: ['--otlp-scheduled-delay', '200ms'] },
];

/** The q-quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** Milliseconds from the response's last byte to arrival, for exchanges with a response. */
function delaysMs(records: readonly DecodedLogRecord[], skipBeforeMs: number): number[] {
  const delays: number[] = [];
  for (const record of records) {
    if (record.eventName !== 'plaintap.http.exchange') continue;
    const duration = record.attributes['plaintap.duration'];
    if (typeof duration !== 'number') continue;
    const endMs = Number(record.timeUnixNano) / 1e6 + duration * 1000;
    if (endMs < skipBeforeMs) continue;
    delays.push(Number(record.receivedUnixNano) / 1e6 - endMs);
  }
  return delays.sort((a, b) => a - b);
}

async function measure(nginx: NginxServer, config: Config, rate: number): Promise<string[]> {
  const receiver = await startOtlpReceiver();
  const agent = await startAgent([
    '--pid',
    String(nginx.workerPid),
    '--output',
    'none',
    '--metrics-address',
    '127.0.0.1:0',
    '--otlp-endpoint',
    receiver.endpoint,
    ...config.args,
  ]);
  try {
    const before = await agentFigures(agent);
    const client = startLoadGenerator('paced-client', [nginx.port, rate, SECONDS, 8]);
    let summary: { completed: number; rate: number; maxBacklog: number };
    let startedMs: number;
    try {
      await client.waitForLine(/^ready$/, 30_000);
      startedMs = Date.now();
      summary = JSON.parse(await client.waitForLine(/^\{/, (SECONDS + 30) * 1000)) as typeof summary;
    } finally {
      await client.end(5000);
    }
    // Every answered request gives one record; wait for them (bounded), then a little more.
    await receiver.waitFor((records) => records.length >= summary.completed, 15_000).catch(() => undefined);
    const after = await agentFigures(agent);
    const delays = delaysMs(receiver.records(), startedMs + SKIP_SECONDS * 1000);
    const cpu = (after.cpuSeconds - before.cpuSeconds) / SECONDS;
    const f = (ms: number): string => formatNumber(ms, 0);
    return [
      config.name,
      formatNumber(rate),
      formatNumber(summary.rate, 0),
      `${formatNumber(receiver.records().length)}/${formatNumber(summary.completed)}`,
      formatNumber(delays.length),
      f(quantile(delays, 0.5)),
      f(quantile(delays, 0.9)),
      f(quantile(delays, 0.99)),
      f(delays.at(-1) ?? NaN),
      `${formatNumber(cpu * 100, 0)} %`,
    ];
  } finally {
    await agent.stop();
    await receiver.stop();
  }
}

async function main(): Promise<void> {
  const nginx = await startNginx(makeCertificate(), { keepaliveRequests: 1_000_000 });
  const rows: string[][] = [];
  try {
    for (const config of CONFIGS) {
      for (const rate of RATES) {
        const row = await measure(nginx, config, rate);
        process.stderr.write(`${row.join(' | ')}\n`);
        rows.push(row);
      }
    }
  } finally {
    await nginx.stop();
  }
  console.log(
    `\nCapture → export delay (response's last byte → OTLP receiver), ${SECONDS} s per run, first ${SKIP_SECONDS} s left out, ms:\n`,
  );
  console.log(
    table(
      [
        'configuration',
        'req/s asked',
        'req/s done',
        'records/answers',
        'measured',
        'p50',
        'p90',
        'p99',
        'max',
        'agent CPU',
      ],
      rows,
    ),
  );
  console.log(
    `\nmachine: ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
