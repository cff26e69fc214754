/**
 * plaintap's memory (issue 5, part 3), in two parts:
 *
 *  connections  RSS of the agent idle, then with BENCH_CONNECTIONS (10k) concurrent keep-alive
 *               TLS connections to nginx held open (each made one request, so its server side has
 *               a worker), after one more request on every one of them, and after they closed.
 *  outage       a steady BENCH_RATE req/s for BENCH_OUTAGE_SECONDS (300 = the issue's 5 minutes)
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
 * BENCH_SAMPLE_SECONDS, BENCH_NODE_FLAGS (Node/V8 options of the agent's process).
 */
import os from 'node:os';
import { CLI_PATH, PLAINTAP_BIN, startAgent, type AgentProcess } from '../support/agent-process';
import { freePort } from '../support/free-port';
import { startNginx, type NginxServer } from '../support/nginx-server';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { makeCertificate } from '../support/tls-fixtures';
import { agentFigures, type AgentFigures } from './agent-figures';
import { formatNumber, table } from './bench-support';
import { startLoadGenerator } from './load-generator';
import { mib } from './process-memory';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 200);
const WARM_SECONDS = Number(process.env['BENCH_WARM_SECONDS'] ?? 20);
const OUTAGE_SECONDS = Number(process.env['BENCH_OUTAGE_SECONDS'] ?? 300);
const RECOVERY_SECONDS = Number(process.env['BENCH_RECOVERY_SECONDS'] ?? 60);
const SAMPLE_SECONDS = Number(process.env['BENCH_SAMPLE_SECONDS'] ?? 5);
const PARTS = (process.env['BENCH_MEMORY_PARTS'] ?? 'connections,outage').split(',');
/** More agent options for a variant run, e.g. `--ring-buffer-size 4MiB`. */
const AGENT_ARGS = (process.env['BENCH_AGENT_ARGS'] ?? '').split(' ').filter((arg) => arg.length > 0);
/** Node/V8 options for the agent's process instead of the launcher's (bin/plaintap), e.g. `--optimize-for-size`. */
const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((arg) => arg.length > 0);
/** Room for the sockets of the load generator, nginx and the agent. */
const NOFILE = CONNECTIONS + 4096;
const MAX_QUEUE_SIZE = 8192; // the default of otlp.max_queue_size, restated for the report

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function startBenchAgent(nginx: NginxServer, endpoint: string): Promise<AgentProcess> {
  return startAgent(
    [
      '--pid',
      String(nginx.workerPid),
      '--output',
      'none',
      '--metrics-address',
      '127.0.0.1:0',
      '--otlp-endpoint',
      endpoint,
      ...AGENT_ARGS,
    ],
    {
      // The launcher, as a user runs it; BENCH_NODE_FLAGS replaces its Node flags with these.
      command: [
        'prlimit',
        `--nofile=${NOFILE}:${NOFILE}`,
        '--',
        ...(NODE_FLAGS.length > 0 ? [process.execPath, ...NODE_FLAGS, CLI_PATH] : [PLAINTAP_BIN]),
      ],
    },
  );
}

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
  const agent = await startBenchAgent(nginx, receiver.endpoint);
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
      `\nagent options: ${[...NODE_FLAGS, ...AGENT_ARGS].join(' ') || '(defaults)'}; records exported ${formatNumber(last.exported)}, ` +
        `dropped (queue_full) ${formatNumber(last.droppedQueueFull)}, receiver got ${formatNumber(receiver.records().length)}, agent CPU ${last.cpuSeconds.toFixed(1)} s`,
    );
  } finally {
    await agent.stop();
  }
}

interface OutageSample {
  readonly t: number;
  readonly phase: string;
  readonly figures: AgentFigures;
}

async function outagePart(nginx: NginxServer): Promise<void> {
  const port = await freePort();
  let receiver: OtlpReceiver | undefined = await startOtlpReceiver({ port });
  const agent = await startBenchAgent(nginx, receiver.endpoint);
  const total = WARM_SECONDS + OUTAGE_SECONDS + RECOVERY_SECONDS;
  const client = startLoadGenerator('paced-client', [nginx.port, RATE, total, 8]);
  const samples: OutageSample[] = [];
  let downAt = 0;
  let upAt = 0;
  let firstAfterUp: number | undefined;
  try {
    await client.waitForLine(/^ready$/, 30_000);
    const start = Date.now();
    const steps = Math.ceil(total / SAMPLE_SECONDS);
    for (let step = 1; step <= steps; step++) {
      const at = start + step * SAMPLE_SECONDS * 1000;
      const elapsed = (at - start) / 1000;
      if (downAt === 0 && elapsed > WARM_SECONDS) {
        await receiver?.stop();
        receiver = undefined;
        downAt = Date.now();
        process.stderr.write(`receiver stopped at ${((downAt - start) / 1000).toFixed(0)} s\n`);
      }
      if (upAt === 0 && elapsed > WARM_SECONDS + OUTAGE_SECONDS) {
        receiver = await startOtlpReceiver({ port });
        upAt = Date.now();
        process.stderr.write(`receiver back at ${((upAt - start) / 1000).toFixed(0)} s\n`);
      }
      await sleep(Math.max(0, at - Date.now()));
      const figures = await agentFigures(agent);
      const phase = upAt > 0 ? 'recovery' : downAt > 0 ? 'outage' : 'warm';
      samples.push({ t: (Date.now() - start) / 1000, phase, figures });
      if (upAt > 0 && firstAfterUp === undefined && receiver && receiver.records().length > 0) {
        firstAfterUp = Number(receiver.records()[0]?.receivedUnixNano ?? 0n) / 1e6 - upAt;
      }
      process.stderr.write(
        `${samples.at(-1)?.t.toFixed(0)} s ${phase}: rss ${mib(figures.vmRssBytes)} MiB, queue ${figures.queueDepth}, ` +
          `dropped ${figures.droppedQueueFull}, failed ${figures.failedRecords}, exported ${figures.exported}\n`,
      );
    }
    const summary = await client.waitForLine(/^\{/, 30_000);
    const final = await waitForFigures(agent, (f) => f.queueDepth === 0, 30_000);
    const after = receiver?.records() ?? [];
    if (firstAfterUp === undefined && after.length > 0)
      firstAfterUp = Number(after[0]?.receivedUnixNano ?? 0n) / 1e6 - upAt;
    // Records captured after the receiver came back: these must all arrive.
    const capturedAfterUp = after.filter((r) => Number(r.timeUnixNano / 1_000_000n) > upAt + 1000).length;
    const expectedAfterUp = Math.round(RATE * Math.max(0, (start + total * 1000 - upAt) / 1000 - 1));

    const byPhase = (phase: string): AgentFigures[] => samples.filter((s) => s.phase === phase).map((s) => s.figures);
    const maxOf = (list: AgentFigures[], pick: (f: AgentFigures) => number): number => Math.max(...list.map(pick));
    const rows = ['warm', 'outage', 'recovery'].map((phase) => {
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
      `\nCollector outage: ${RATE} req/s to nginx; receiver up ${WARM_SECONDS} s, down ${OUTAGE_SECONDS} s, back ${RECOVERY_SECONDS} s; ` +
        `otlp.max_queue_size ${MAX_QUEUE_SIZE} (default batching); sampled every ${SAMPLE_SECONDS} s:\n`,
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
    console.log(`\nload: ${summary}`);
    console.log(
      `RSS over the whole outage: ${byPhase('outage')
        .map((f) => mib(f.vmRssBytes))
        .join(' ')}`,
    );
    console.log(
      `first record at the new receiver ${firstAfterUp === undefined ? 'never' : `${(firstAfterUp / 1000).toFixed(1)} s`} after it came back`,
    );
    console.log(
      `records captured from 1 s after the receiver came back: ${formatNumber(capturedAfterUp)} delivered of ~${formatNumber(expectedAfterUp)} requests`,
    );
    console.log(
      `end: queue ${final.queueDepth}, exported ${formatNumber(final.exported)}, dropped ${formatNumber(final.droppedQueueFull)}, failed ${formatNumber(final.failedRecords)}, retries ${formatNumber(final.retries)}, VmHWM ${mib(final.peakRssBytes)} MiB`,
    );
  } finally {
    await client.end(5000);
    await agent.stop();
    await receiver?.stop();
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
    if (PARTS.includes('outage')) await outagePart(nginx);
  } finally {
    await nginx.stop();
  }
  console.log(`\nmachine: ${os.cpus().length} cores, Node ${process.version}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
