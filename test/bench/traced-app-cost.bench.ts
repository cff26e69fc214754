/**
 * What plaintap costs the traced application: nginx (one worker, TLS on
 * 127.0.0.1, a small response over keep-alive) loaded by wrk, side by side:
 *   base        nothing attached
 *   noop        no-op programs on plaintap's hook points (the probes alone)
 *   minimal     the same probes copying every call into a ring buffer, a C consumer discarding it
 *   plaintap    the agent attached, --output none
 *   plaintap-nginx  the agent with --comm nginx (every process probed, the kernel drops the load generator's calls)
 *   plaintap-pid    the agent with --pid <nginx worker>: probes installed in nginx only
 *   plaintap-otlp   the agent exporting OTLP to a local gRPC sink (otlp-count-sink-process.ts:
 *                   a real grpc-js server in its own process that counts records without decoding
 *                   them, so that the receiver's own work is not billed to plaintap)
 *   plaintap-otlp-pid   the same with --pid <nginx worker>: one record per request (nginx's side)
 * Rounds are interleaved; medians and ratios are printed, with the CPU the tracer (the floor's
 * consumer or the agent) used per request. Run: npm run bench -- traced-app-cost
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { PLAINTAP_BIN } from '../support/agent-process';
import { startNginx } from '../support/nginx-server';
import { makeCertificate } from '../support/tls-fixtures';
import { formatNumber, median, startReady, stopProcess, table, wrk } from './bench-support';
import { forkOtlpCountSink } from './otlp-count-sink-process';
import { processCpuSeconds } from './process-cpu';

const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const FLOOR = path.resolve(__dirname, '..', '..', '..', 'build', 'bench', 'floor');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);

interface Mode {
  readonly name: string;
  start(): Promise<ChildProcess | undefined>;
}

async function main(): Promise<void> {
  const cert = makeCertificate();
  const nginx = await startNginx(cert);
  const sink = await forkOtlpCountSink();
  const agent = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> =>
    startReady(PLAINTAP_BIN, ['--output', 'none', '--metrics-address', 'off', ...args], env);
  const modes: Mode[] = [
    { name: 'base', start: () => Promise.resolve(undefined) },
    { name: 'noop', start: () => startReady(FLOOR, ['noop', LIBSSL]) },
    { name: 'minimal', start: () => startReady(FLOOR, ['capture', LIBSSL]) },
    { name: 'plaintap', start: () => agent([]) },
    { name: 'plaintap-nginx', start: () => agent(['--comm', 'nginx']) },
    { name: 'plaintap-pid', start: () => agent(['--pid', String(nginx.workerPid)]) },
    { name: 'plaintap-otlp', start: () => agent([], { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }) },
    {
      name: 'plaintap-otlp-pid',
      start: () =>
        agent(['--pid', String(nginx.workerPid)], { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }),
    },
  ];
  const url = `https://127.0.0.1:${nginx.port}/hello`;
  const rates = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  let sinkRecords: number | undefined;
  /** CPU µs the tracer process used per request served, per round. */
  const tracerCpu = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  try {
    await wrk(url, 1, CONNECTIONS); // warm up nginx and the page cache
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of modes) {
        const tracer = await mode.start();
        try {
          const cpu0 = processCpuSeconds(tracer?.pid ?? 0);
          const rate = await wrk(url, SECONDS, CONNECTIONS);
          const cpuMicrosPerRequest = ((processCpuSeconds(tracer?.pid ?? 0) - cpu0) * 1e6) / (rate * SECONDS);
          rates.get(mode.name)?.push(rate);
          tracerCpu.get(mode.name)?.push(cpuMicrosPerRequest);
          process.stderr.write(
            `round ${round} ${mode.name}: ${formatNumber(rate)} req/s, tracer ${formatNumber(cpuMicrosPerRequest, 1)} CPU-µs/request\n`,
          );
        } finally {
          if (tracer) await stopProcess(tracer);
        }
      }
    }
  } finally {
    await nginx.stop();
    sinkRecords = (await sink.counts()).records;
    await sink.stop();
  }
  const base = median(rates.get('base') ?? []);
  const minimal = median(rates.get('minimal') ?? []);
  const rows = modes.map((mode) => {
    const m = median(rates.get(mode.name) ?? []);
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
  console.log(
    `\nnginx (1 worker, TLS, keep-alive, 17-byte response) under wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds, median req/s:\n`,
  );
  console.log(table(['mode', 'req/s', 'x base', 'x minimal', 'tracer CPU-µs/req', 'rounds'], rows));
  console.log('\ntracer CPU-µs/req: CPU the floor consumer or the agent used (all its threads) per request served.');
  console.log(`the sink counted ${formatNumber(sinkRecords ?? 0)} OTLP records during the plaintap-otlp rounds`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
