/**
 * A collector outage under steady traffic, shared by the memory benchmark (5 minutes) and the
 * outage soak (30 minutes): the paced client sends `rate` req/s to nginx for the whole run; the
 * OTLP receiver is up for `warmSeconds`, stopped (connections refused) for `outageSeconds`, then
 * a new one listens on the same port for `recoverySeconds`. The agent is sampled every
 * `sampleSeconds`: RSS (and where it is: malloc's main heap, other anonymous memory, files),
 * the export queue and its drops. A sample the agent does not answer in time (a busy machine)
 * is skipped and counted, not fatal.
 */
import type { AgentProcess } from '../support/agent-process';
import { freePort } from '../support/free-port';
import type { NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { agentFigures, type AgentFigures } from './agent-figures';
import { formatNumber, table } from './bench-support';
import { startLoadGenerator } from './load-generator';
import { mib } from './process-memory';

export interface OutageSettings {
  readonly rate: number;
  readonly warmSeconds: number;
  readonly outageSeconds: number;
  readonly recoverySeconds: number;
  readonly sampleSeconds: number;
  /** otlp.max_queue_size of the agent, restated for the report. */
  readonly maxQueueSize: number;
}

/**
 * The settings from BENCH_RATE, BENCH_WARM_SECONDS, BENCH_OUTAGE_SECONDS, BENCH_RECOVERY_SECONDS
 * and BENCH_SAMPLE_SECONDS, each defaulting to the benchmark's own; the agent's default queue size.
 */
export function outageSettingsFromEnv(defaults: Omit<OutageSettings, 'maxQueueSize'>): OutageSettings {
  const knob = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  return {
    rate: knob('BENCH_RATE', defaults.rate),
    warmSeconds: knob('BENCH_WARM_SECONDS', defaults.warmSeconds),
    outageSeconds: knob('BENCH_OUTAGE_SECONDS', defaults.outageSeconds),
    recoverySeconds: knob('BENCH_RECOVERY_SECONDS', defaults.recoverySeconds),
    sampleSeconds: knob('BENCH_SAMPLE_SECONDS', defaults.sampleSeconds),
    maxQueueSize: 8192, // the default of otlp.max_queue_size, restated for the report
  };
}

export type OutagePhase = 'warm' | 'outage' | 'recovery';

export interface OutageSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly phase: OutagePhase;
  readonly figures: AgentFigures;
}

export interface OutageRun {
  readonly samples: readonly OutageSample[];
  /** Seconds since the load started when the receiver stopped and came back. */
  readonly downAtS: number;
  readonly upAtS: number;
  readonly missedSamples: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCollectorOutage(
  nginx: NginxServer,
  settings: OutageSettings,
  startAgent: (endpoint: string) => Promise<AgentProcess>,
): Promise<OutageRun> {
  const { rate, warmSeconds, outageSeconds, recoverySeconds, sampleSeconds } = settings;
  const port = await freePort();
  let receiver: OtlpReceiver | undefined = await startOtlpReceiver({ port });
  const agent = await startAgent(receiver.endpoint);
  const total = warmSeconds + outageSeconds + recoverySeconds;
  const client = startLoadGenerator('paced-client', [nginx.port, rate, total, 8]);
  const samples: OutageSample[] = [];
  let downAt = 0;
  let upAt = 0;
  let firstAfterUp: number | undefined;
  let missedSamples = 0;
  try {
    await client.waitForLine(/^ready$/, 30_000);
    const start = Date.now();
    const steps = Math.ceil(total / sampleSeconds);
    for (let step = 1; step <= steps; step++) {
      // The receiver changes state at the start of the interval it changes in.
      const intervalStart = (step - 1) * sampleSeconds;
      if (downAt === 0 && intervalStart >= warmSeconds) {
        await receiver?.stop();
        receiver = undefined;
        downAt = Date.now();
        process.stderr.write(`receiver stopped at ${((downAt - start) / 1000).toFixed(0)} s\n`);
      }
      if (upAt === 0 && intervalStart >= warmSeconds + outageSeconds) {
        receiver = await startOtlpReceiver({ port });
        upAt = Date.now();
        process.stderr.write(`receiver back at ${((upAt - start) / 1000).toFixed(0)} s\n`);
      }
      await sleep(Math.max(0, start + step * sampleSeconds * 1000 - Date.now()));
      let figures: AgentFigures;
      try {
        figures = await agentFigures(agent);
      } catch (error) {
        missedSamples++;
        process.stderr.write(`sample ${step} missed: ${(error as Error).message}\n`);
        continue;
      }
      const phase: OutagePhase = upAt > 0 ? 'recovery' : downAt > 0 ? 'outage' : 'warm';
      samples.push({ t: (Date.now() - start) / 1000, phase, figures });
      if (upAt > 0 && firstAfterUp === undefined && receiver && receiver.records().length > 0) {
        firstAfterUp = Number(receiver.records()[0]?.receivedUnixNano ?? 0n) / 1e6 - upAt;
      }
      process.stderr.write(
        `${samples.at(-1)?.t.toFixed(0)} s ${phase}: rss ${mib(figures.vmRssBytes)} MiB (malloc heap ${mib(figures.mallocHeapBytes)}, ` +
          `other anon ${mib(figures.anonBytes - figures.mallocHeapBytes)}, heap used ${mib(figures.heapUsedBytes)}), queue ${figures.queueDepth}, ` +
          `dropped ${figures.droppedQueueFull}, failed ${figures.failedRecords}, exported ${figures.exported}\n`,
      );
    }
    const summary = await client.waitForLine(/^\{/, 30_000);
    const final = await waitForEmptyQueue(agent);
    const after = receiver?.records() ?? [];
    if (firstAfterUp === undefined && after.length > 0)
      firstAfterUp = Number(after[0]?.receivedUnixNano ?? 0n) / 1e6 - upAt;
    // Records captured after the receiver came back: these must all arrive.
    const capturedAfterUp = after.filter((r) => Number(r.timeUnixNano / 1_000_000n) > upAt + 1000).length;
    const expectedAfterUp = Math.round(rate * Math.max(0, (start + total * 1000 - upAt) / 1000 - 1));
    printOutageTable(settings, samples);
    console.log(`\nload: ${summary}`);
    console.log(
      `first record at the new receiver ${firstAfterUp === undefined ? 'never' : `${(firstAfterUp / 1000).toFixed(1)} s`} after it came back`,
    );
    console.log(
      `records captured from 1 s after the receiver came back: ${formatNumber(capturedAfterUp)} delivered of ~${formatNumber(expectedAfterUp)} requests`,
    );
    if (final) {
      console.log(
        `end: queue ${final.queueDepth}, exported ${formatNumber(final.exported)}, dropped ${formatNumber(final.droppedQueueFull)}, failed ${formatNumber(final.failedRecords)}, retries ${formatNumber(final.retries)}, VmHWM ${mib(final.peakRssBytes)} MiB`,
      );
    }
    if (missedSamples > 0) console.log(`samples missed (agent did not answer /metrics in time): ${missedSamples}`);
    return { samples, downAtS: (downAt - start) / 1000, upAtS: (upAt - start) / 1000, missedSamples };
  } finally {
    await client.end(5000);
    await agent.stop();
    await receiver?.stop();
  }
}

async function waitForEmptyQueue(agent: AgentProcess): Promise<AgentFigures | undefined> {
  const deadline = Date.now() + 30_000;
  let figures: AgentFigures | undefined;
  while (Date.now() < deadline) {
    figures = await agentFigures(agent).catch(() => undefined);
    if (figures?.queueDepth === 0) break;
    await sleep(250);
  }
  return figures;
}

function printOutageTable(settings: OutageSettings, samples: readonly OutageSample[]): void {
  const byPhase = (phase: OutagePhase): AgentFigures[] =>
    samples.filter((s) => s.phase === phase).map((s) => s.figures);
  const maxOf = (list: AgentFigures[], pick: (f: AgentFigures) => number): number => Math.max(...list.map(pick));
  const rows = (['warm', 'outage', 'recovery'] as const).map((phase) => {
    const list = byPhase(phase);
    return [
      phase,
      formatNumber(list.length),
      mib(maxOf(list, (f) => f.vmRssBytes)),
      mib(list.at(-1)?.vmRssBytes),
      mib(maxOf(list, (f) => f.heapUsedBytes)),
      formatNumber(maxOf(list, (f) => f.queueDepth)),
      formatNumber(list.at(-1)?.droppedQueueFull ?? NaN),
      formatNumber(list.at(-1)?.failedRecords ?? NaN),
      formatNumber(list.at(-1)?.exported ?? NaN),
    ];
  });
  console.log(
    `\nCollector outage: ${settings.rate} req/s to nginx; receiver up ${settings.warmSeconds} s, down ${settings.outageSeconds} s, back ${settings.recoverySeconds} s; ` +
      `otlp.max_queue_size ${settings.maxQueueSize} (default batching); sampled every ${settings.sampleSeconds} s:\n`,
  );
  console.log(
    table(
      [
        'phase',
        'samples',
        'max RSS MiB',
        'last RSS MiB',
        'max heap MiB',
        'max queue',
        'dropped (queue_full)',
        'failed records',
        'exported',
      ],
      rows,
    ),
  );
  console.log(
    `RSS over the whole outage: ${byPhase('outage')
      .map((f) => mib(f.vmRssBytes))
      .join(' ')}`,
  );
}
