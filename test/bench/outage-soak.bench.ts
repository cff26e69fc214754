/**
 * The outage soak (issue 16, "Flat memory"): a 30-minute collector outage at 200 req/s, the
 * agent's RSS sampled throughout. The criterion: RSS after minute 5 of the outage stays within 5 %
 * of its value at minute 5; and export resumes when the collector returns. Not in CI (it takes
 * 30 minutes); figures are printed, never asserted. The outage itself is collector-outage.ts.
 *
 *   npm run bench -- outage-soak                                # 30 minutes
 *   BENCH_OUTAGE_SECONDS=900 npm run bench -- outage-soak       # 15
 *   BENCH_AGENT_ENV='MALLOC_ARENA_MAX=16' npm run bench -- outage-soak   # a variant (bench-agent.ts)
 *   scripts/soak-outage [MINUTES]                               # the same, after a build
 *
 * More knobs: BENCH_RATE (200), BENCH_WARM_SECONDS (30), BENCH_RECOVERY_SECONDS (60),
 * BENCH_SAMPLE_SECONDS (15), BENCH_BASELINE_MINUTE (5).
 */
import os from 'node:os';
import { startNginx } from '../support/nginx-server';
import { makeCertificate } from '../support/tls-fixtures';
import { benchAgentVariant, startBenchAgent } from './bench-agent';
import { table } from './bench-support';
import { outageSettingsFromEnv, runCollectorOutage, type OutageSample } from './collector-outage';
import { mib } from './process-memory';

const BASELINE_MINUTE = Number(process.env['BENCH_BASELINE_MINUTE'] ?? 5);
const NOFILE = 4096;

/** The last outage sample at or before `minute` minutes into the outage. */
function atMinute(outage: readonly OutageSample[], downAtS: number, minute: number): OutageSample | undefined {
  return outage.filter((s) => s.t - downAtS <= minute * 60).at(-1);
}

function printSoak(samples: readonly OutageSample[], downAtS: number): void {
  const outage = samples.filter((s) => s.phase === 'outage');
  const minutes = ((outage.at(-1)?.t ?? downAtS) - downAtS) / 60;
  const rows: string[][] = [];
  for (let minute = 1; minute <= Math.floor(minutes); minute++) {
    const sample = atMinute(outage, downAtS, minute);
    if (sample === undefined) continue;
    const f = sample.figures;
    rows.push([
      String(minute),
      mib(f.vmRssBytes),
      mib(f.mallocHeapBytes),
      mib(f.anonBytes - f.mallocHeapBytes),
      mib(f.fileBytes),
      mib(f.heapTotalBytes),
      mib(f.heapUsedBytes),
      mib(f.externalBytes),
    ]);
  }
  console.log(`\nRSS by minute of the outage, MiB:\n`);
  console.log(
    table(['minute', 'VmRSS', 'malloc [heap]', 'other anon', 'file', 'V8 heap', 'heap used', 'external'], rows),
  );
  console.log('(malloc [heap]: the main arena; other anon: V8 heaps of both threads, other malloc arenas)');
  const baseline = atMinute(outage, downAtS, BASELINE_MINUTE);
  if (baseline === undefined) {
    console.log(`\nthe outage was shorter than ${BASELINE_MINUTE} minutes: no growth figure`);
    return;
  }
  const after = outage.filter((s) => s.t >= baseline.t).map((s) => s.figures.vmRssBytes);
  const base = baseline.figures.vmRssBytes;
  const last = outage.at(-1)?.figures.vmRssBytes ?? base;
  const highest = Math.max(...after);
  const percent = (bytes: number): string => `${(((bytes - base) / base) * 100).toFixed(1)} %`;
  console.log(
    `\nRSS at minute ${BASELINE_MINUTE} of the outage ${mib(base)} MiB; at its end (minute ${minutes.toFixed(1)}) ${mib(last)} MiB ` +
      `(${percent(last)}); highest after minute ${BASELINE_MINUTE} ${mib(highest)} MiB (${percent(highest)}); target: within 5 %`,
  );
}

async function main(): Promise<void> {
  const nginx = await startNginx(makeCertificate(), { keepaliveRequests: 1_000_000 });
  try {
    const settings = outageSettingsFromEnv({
      rate: 200,
      warmSeconds: 30,
      outageSeconds: 1800,
      recoverySeconds: 60,
      sampleSeconds: 15,
    });
    const run = await runCollectorOutage(nginx, settings, (endpoint) => startBenchAgent(nginx, endpoint, NOFILE));
    printSoak(run.samples, run.downAtS);
  } finally {
    await nginx.stop();
  }
  console.log(`\nagent: ${benchAgentVariant()}; machine: ${os.cpus().length} cores, Node ${process.version}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
