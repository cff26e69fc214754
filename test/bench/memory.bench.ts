/**
 * plaintap's memory (issue 5, part 3), in two parts:
 *
 *  connections  RSS of the agent idle, then with BENCH_CONNECTIONS (10k) concurrent keep-alive
 *               TLS connections to nginx held open (each made one request, so its server side has
 *               a worker), after one more request on every one of them, and after they closed.
 *  outage       a steady BENCH_RATE req/s for BENCH_OUTAGE_SECONDS (300 = the 5 minutes)
 *               while the OTLP receiver is down, sampled every BENCH_SAMPLE_SECONDS: RSS, export
 *               queue depth, drops; then the receiver comes back on the same port and later
 *               records must arrive.
 *
 * The agent runs as a user runs it (bin/plaintap, --output none, OTLP to a real receiver on
 * 127.0.0.1, default batching), limited to the benchmark's nginx worker (--pid): the load
 * generators use Node's TLS, which plaintap does not capture anyway, and other TLS traffic on the
 * host must not count. RSS is VmRSS of /proc/PID/status and process_resident_memory_bytes of
 * /metrics. Figures are printed, never asserted.
 *
 *   npm run bench -- memory                        # both parts
 *   BENCH_MEMORY_PARTS=outage BENCH_OUTAGE_SECONDS=60 npm run bench -- memory
 *   BENCH_MEMORY_PARTS=connections BENCH_AGENT_ARGS='--ring-buffer-size 4MiB' npm run bench -- memory
 *
 * More knobs: BENCH_CONNECTIONS, BENCH_RATE, BENCH_WARM_SECONDS, BENCH_RECOVERY_SECONDS,
 * BENCH_SAMPLE_SECONDS, and the agent variants of bench-agent.ts (BENCH_AGENT_ARGS,
 * BENCH_NODE_FLAGS, BENCH_AGENT_ENV). The outage itself is collector-outage.ts (also the soak's).
 */
import os from 'node:os';
import type { AgentProcess } from '../support/agent-process';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { makeCertificate } from '../support/tls-fixtures';
import { agentFigures, type AgentFigures } from './agent-figures';
import { benchAgentVariant, startBenchAgent } from './bench-agent';
import { formatNumber, table } from './bench-support';
import { outageSettingsFromEnv, runCollectorOutage } from './collector-outage';
import { startLoadGenerator } from './load-generator';
import { mib } from './process-memory';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10_000);
const PARTS = (process.env['BENCH_MEMORY_PARTS'] ?? 'connections,outage').split(',');
/** Room for the sockets of the load generator, nginx and the agent. */
const NOFILE = CONNECTIONS + 4096;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the agent until `done(figures)` or `timeoutMs`; returns the last figures. */
async function waitForFigures(
  agent: AgentProcess,
  done: (f: AgentFigures) => boolean,
  timeoutMs: number,
): Promise<AgentFigures> {
  const deadline = Date.now() + timeoutMs;
  let figures = await agentFigures(agent);
  while (!done(figures) && Date.now() < deadline) {
    await sleep(250);
    figures = await agentFigures(agent);
  }
  return figures;
}

/** Samples for `seconds` (one per second) and keeps the one with the highest RSS. */
async function highestOver(agent: AgentProcess, seconds: number): Promise<AgentFigures> {
  let highest = await agentFigures(agent);
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    const figures = await agentFigures(agent);
    if (figures.vmRssBytes > highest.vmRssBytes) highest = figures;
  }
  return highest;
}

function memoryRow(phase: string, f: AgentFigures): string[] {
  return [
    phase,
    formatNumber(f.workers),
    mib(f.vmRssBytes),
    mib(f.residentBytes),
    mib(f.anonBytes),
    mib(f.fileBytes),
    mib(f.bpfMapBytes),
    mib(f.heapTotalBytes),
    mib(f.heapUsedBytes),
    mib(f.externalBytes),
    mib(f.peakRssBytes),
  ];
}

async function connectionsPart(nginx: NginxServer, receiver: OtlpReceiver): Promise<void> {
  const agent = await startBenchAgent(nginx, receiver.endpoint, NOFILE);
  const rows: string[][] = [];
  try {
    await sleep(3000);
    rows.push(memoryRow('idle (no connections)', await highestOver(agent, 5)));
    const holder = startLoadGenerator('tls-connection-holder', [nginx.port, CONNECTIONS, 64], NOFILE);
    try {
      await holder.waitForLine(/^ready \d+/, 300_000);
      const open = await waitForFigures(agent, (f) => f.workers >= CONNECTIONS, 60_000);
      rows.push(memoryRow(`${formatNumber(CONNECTIONS)} connections open`, await highestOver(agent, 10)));
      if (open.workers < CONNECTIONS)
        process.stderr.write(`only ${open.workers} workers for ${CONNECTIONS} connections\n`);
      holder.send('request');
      await holder.waitForLine(/^done \d+/, 300_000);
      rows.push(memoryRow('+1 request on each', await highestOver(agent, 10)));
    } finally {
      await holder.end();
    }
    await waitForFigures(agent, (f) => f.workers === 0, 30_000);
    rows.push(memoryRow('connections closed', await highestOver(agent, 5)));
    const last = await agentFigures(agent);
    console.log(
      `\nAgent memory with ${formatNumber(CONNECTIONS)} keep-alive TLS connections to nginx (server side tracked), MiB:\n`,
    );
    console.log(
      table(
        [
          'phase',
          'workers',
          'VmRSS',
          'process_resident',
          'anon',
          'file',
          '(ring)',
          'heap',
          'heap used',
          'external',
          'VmHWM',
        ],
        rows,
      ),
    );
    console.log(
      "(anon/file: RssAnon/RssFile; ring: the BPF ring buffer mapping, in file, counted twice; heap: the main thread's V8 heap, committed and used)",
    );
    console.log(
      `\nagent options: ${benchAgentVariant()}; records exported ${formatNumber(last.exported)}, ` +
        `dropped (queue_full) ${formatNumber(last.droppedQueueFull)}, receiver got ${formatNumber(receiver.records().length)}, agent CPU ${last.cpuSeconds.toFixed(1)} s`,
    );
  } finally {
    await agent.stop();
  }
}

async function main(): Promise<void> {
  const cert = makeCertificate();
  const nginx = await startNginx(cert, {
    workerConnections: CONNECTIONS + 1024,
    keepaliveRequests: 1_000_000,
    serverDirectives: 'keepalive_timeout 900s;',
  });
  try {
    if (PARTS.includes('connections')) {
      const receiver = await startOtlpReceiver();
      try {
        await connectionsPart(nginx, receiver);
      } finally {
        await receiver.stop();
      }
    }
    if (PARTS.includes('outage')) {
      const settings = outageSettingsFromEnv({
        rate: 200,
        warmSeconds: 20,
        outageSeconds: 300,
        recoverySeconds: 60,
        sampleSeconds: 5,
      });
      await runCollectorOutage(nginx, settings, (endpoint) => startBenchAgent(nginx, endpoint, NOFILE));
    }
  } finally {
    await nginx.stop();
  }
  console.log(`\nmachine: ${os.cpus().length} cores, Node ${process.version}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
