/**
 * How long the agent takes to stop on SIGTERM (issue 16: "stop in well under a second when there
 * is nothing left to flush"): from the signal to the process's exit, idle and under steady load
 * (the paced client at BENCH_RATE req/s to nginx, captured), with OTLP export to a live receiver
 * and without it. Each case BENCH_ROUNDS times against a fresh agent; medians and ranges printed,
 * never asserted.
 *
 *   npm run bench -- stop-time            # BENCH_ROUNDS (5), BENCH_RATE (1000)
 */
import os from 'node:os';
import { startAgent, PLAINTAP_BIN } from '../support/agent-process';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { makeCertificate } from '../support/tls-fixtures';
import { formatNumber, median, table } from './bench-support';
import { startLoadGenerator } from './load-generator';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
/** Time under load (or idle) before the signal, after ready. */
const RUN_SECONDS = 5;

interface Round {
  readonly exitMs: number;
  readonly stopMs: number;
  /** NaN for an agent that does not report it (before detach_ms existed). */
  readonly detachMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One round: a fresh agent, RUN_SECONDS idle or loaded, then SIGTERM. Milliseconds to its exit,
 * the agent's own `stop_ms` (signal handled → `stopped` logged: detach, flush, OTLP drain) and
 * its `detach_ms` (the probes' part of it); the rest is after runAgent returns (process exit).
 */
async function stopMs(nginx: NginxServer, receiver: OtlpReceiver | undefined, loaded: boolean): Promise<Round> {
  const otlp = receiver ? ['--otlp-endpoint', receiver.endpoint] : [];
  const agent = await startAgent(
    ['--pid', String(nginx.workerPid), '--output', 'none', '--metrics-address', 'off', ...otlp],
    { command: [PLAINTAP_BIN] },
  );
  const client = loaded ? startLoadGenerator('paced-client', [nginx.port, RATE, RUN_SECONDS + 30, 8]) : undefined;
  try {
    await client?.waitForLine(/^ready$/, 30_000);
    await sleep(RUN_SECONDS * 1000);
    const started = process.hrtime.bigint();
    const code = await agent.stop('SIGTERM');
    const exitMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) process.stderr.write(`agent exited ${String(code)}: ${agent.stderr().slice(-500)}\n`);
    const field = (name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(agent.stderr())?.[1] ?? NaN);
    return { exitMs, stopMs: field('stop_ms'), detachMs: field('detach_ms') };
  } finally {
    await client?.end(5000);
    await agent.stop('SIGKILL');
  }
}

async function main(): Promise<void> {
  const nginx = await startNginx(makeCertificate(), { keepaliveRequests: 1_000_000 });
  const receiver = await startOtlpReceiver();
  const rows: string[][] = [];
  try {
    for (const [name, loaded, otlp] of [
      ['idle, no OTLP', false, false],
      ['idle, OTLP to a live receiver', false, true],
      [`${RATE} req/s, no OTLP`, true, false],
      [`${RATE} req/s, OTLP to a live receiver`, true, true],
    ] as const) {
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round++)
        rounds.push(await stopMs(nginx, otlp ? receiver : undefined, loaded));
      const times = rounds.map((r) => r.exitMs);
      process.stderr.write(
        `${name}: ${rounds.map((r) => `${r.exitMs.toFixed(0)} (stop_ms ${r.stopMs}, detach_ms ${r.detachMs})`).join(' ')} ms\n`,
      );
      rows.push([
        name,
        formatNumber(median(times)),
        formatNumber(Math.min(...times)),
        formatNumber(Math.max(...times)),
        formatNumber(median(rounds.map((r) => r.stopMs))),
        formatNumber(median(rounds.map((r) => r.detachMs))),
      ]);
    }
  } finally {
    await receiver.stop();
    await nginx.stop();
  }
  console.log(`\nSIGTERM → exit of bin/plaintap, ${ROUNDS} fresh agents per case, ms:\n`);
  console.log(
    table(['case', 'median', 'min', 'max', 'median stop_ms (detach, flush, drain)', 'median detach_ms'], rows),
  );
  console.log(
    `\nmachine: ${os.cpus().length} cores (load average ${os.loadavg()[0]?.toFixed(1)}), Node ${process.version}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
