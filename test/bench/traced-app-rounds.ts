/**
 * The traced-application benchmarks' common part: a server under load while each mode (nothing,
 * the floor, plaintap) is attached in turn, rounds interleaved, median rates and ratios printed
 * with the CPU the tracer process (all its threads) used per unit of work.
 */
import type { ChildProcess } from 'node:child_process';
import { formatNumber, median, stopProcess, table } from './bench-support';
import { processCpuSeconds } from './process-cpu';

/** One way of running the server: a tracer process to start (none for the baseline). */
export interface TracerMode {
  readonly name: string;
  start(): Promise<ChildProcess | undefined>;
}

export interface WorkloadSettings {
  readonly seconds: number;
  readonly rounds: number;
  /** Load-generator connections. */
  readonly connections: number;
  /** Concurrent streams per HTTP/2 connection. */
  readonly streams: number;
}

export interface TracedWorkload {
  /** The line above the table. */
  readonly title: string;
  /** How the rate is printed: 'req/s' with one unit of work a 'request' ('req' in column heads). */
  readonly rateUnit: string;
  readonly unitShort: string;
  readonly unitLong: string;
  readonly modes: readonly TracerMode[];
  /** Comparisons printed under the table besides "x minimal": [mode, its floor]. */
  readonly pairs?: readonly (readonly [string, string])[];
  warmUp(): Promise<void>;
  /** Loads the server for `seconds` and returns the rate. */
  load(seconds: number): Promise<number>;
  /** Stops the server (and helpers); returns lines to print after the table. */
  stop(): Promise<readonly string[]>;
}

export async function runTracedRounds(workload: TracedWorkload, seconds: number, rounds: number): Promise<void> {
  const { modes, unitShort, unitLong, rateUnit } = workload;
  const rates = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  /** CPU µs the tracer process used per unit of work, per round. */
  const tracerCpu = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  let notes: readonly string[];
  try {
    await workload.warmUp();
    for (let round = 1; round <= rounds; round++) {
      for (const mode of modes) {
        const tracer = await mode.start();
        try {
          const cpu0 = processCpuSeconds(tracer?.pid ?? 0);
          const rate = await workload.load(seconds);
          const cpuMicrosPerUnit = ((processCpuSeconds(tracer?.pid ?? 0) - cpu0) * 1e6) / (rate * seconds);
          rates.get(mode.name)?.push(rate);
          tracerCpu.get(mode.name)?.push(cpuMicrosPerUnit);
          process.stderr.write(
            `round ${round} ${mode.name}: ${formatNumber(rate)} ${rateUnit}, tracer ${formatNumber(cpuMicrosPerUnit, 1)} CPU-µs/${unitLong}\n`,
          );
        } finally {
          if (tracer) await stopProcess(tracer);
        }
      }
    }
  } finally {
    notes = await workload.stop();
  }
  const medianOf = (name: string): number => median(rates.get(name) ?? []);
  const base = medianOf('base');
  const minimal = medianOf('minimal');
  const rows = modes.map((mode) => {
    const m = medianOf(mode.name);
    const cpu = mode.name === 'base' ? '' : formatNumber(median(tracerCpu.get(mode.name) ?? []), 1);
    return [
      mode.name,
      formatNumber(m),
      formatNumber(m / base, 2),
      formatNumber(m / minimal, 2),
      cpu,
      (rates.get(mode.name) ?? []).map((r) => formatNumber(r)).join(' '),
    ];
  });
  console.log(`\n${workload.title}\n`);
  console.log(table(['mode', rateUnit, 'x base', 'x minimal', `tracer CPU-µs/${unitShort}`, 'rounds'], rows));
  for (const [mode, floor] of workload.pairs ?? [])
    console.log(`\n${mode} x ${floor}: ${formatNumber(medianOf(mode) / medianOf(floor), 2)}`);
  console.log(
    `\ntracer CPU-µs/${unitShort}: CPU the floor consumer or the agent used (all its threads) per ${unitLong} served.`,
  );
  for (const note of notes) console.log(note);
}
