/**
 * Measurements in a child process pinned to CPUs with taskset: the benchmark file runs itself
 * again with `--measure …`; the child makes warm-up runs (the JIT settles) and measured ones,
 * repeats a run that other processes on the shared machine disturbed, and prints one JSON line
 * per run for the parent to collect.
 */
import { spawn } from 'node:child_process';
import { machineBusySeconds, processCpuSeconds } from './process-cpu';

/** One measured (or warm-up) run, as a child prints it. */
export interface RunFigures {
  readonly warmup: boolean;
  /** Exchanges (pipeline) or records (SDK). */
  readonly items: number;
  /** Log records (every output record of the pipeline). */
  readonly records: number;
  readonly payloadBytes: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** CPU of a helper process (e.g. an OTLP sink), 0 without one. */
  readonly sinkCpuSeconds: number;
  /** CPU the rest of the machine used meanwhile (other processes: a disturbed run shows here). */
  readonly otherCpuSeconds: number;
  readonly exported: number;
  readonly dropped: number;
  readonly failed: number;
}

export type RunMeasurement = Omit<RunFigures, 'warmup' | 'sinkCpuSeconds' | 'otherCpuSeconds'>;

export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

export function numberOption(name: string, fallback: number): number {
  const value = Number(option(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A run during which the rest of the machine kept more than this busy is repeated. */
const QUIET_OTHER_CORES = 0.15;
const MAX_DISTURBED_RETRIES = 10;

/** In the child: `warmups` + `runs` runs of `runOnce`, one JSON line each on stdout. */
export async function measureRuns(
  label: string,
  runOnce: () => Promise<RunMeasurement>,
  settings: { readonly runs: number; readonly warmups: number; readonly sinkPid?: number },
): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const sinkPid = settings.sinkPid ?? 0;
  let retries = 0;
  for (let i = 1 - settings.warmups; i <= settings.runs; i++) {
    gc?.();
    const sink0 = processCpuSeconds(sinkPid);
    const busy0 = machineBusySeconds();
    const figures = await runOnce();
    const sinkCpuSeconds = processCpuSeconds(sinkPid) - sink0;
    const otherCpuSeconds = Math.max(0, machineBusySeconds() - busy0 - sinkCpuSeconds - figures.cpuSeconds);
    const line: RunFigures = { warmup: i <= 0, ...figures, sinkCpuSeconds, otherCpuSeconds };
    // The machine may be shared: a run that other processes disturbed is repeated (a few times at most).
    if (i > 0 && otherCpuSeconds / figures.seconds > QUIET_OTHER_CORES && retries < MAX_DISTURBED_RETRIES) {
      retries++;
      i--; // the same run again
      process.stderr.write(
        `  ${label}: run disturbed (other processes used ${(otherCpuSeconds / figures.seconds).toFixed(2)} cores), repeating\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** In the parent: runs `script` with `args` pinned to `cpus` (taskset list) and collects its runs. */
export function runPinned(script: string, cpus: string, args: readonly string[]): Promise<RunFigures[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', cpus, process.execPath, '--expose-gc', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`measurement ${args.join(' ')} exited ${code}`));
      else
        resolve(
          out
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as RunFigures),
        );
    });
  });
}

export function perSecond(run: RunFigures): number {
  return run.items / run.seconds;
}
