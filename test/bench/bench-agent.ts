/**
 * The agent as the memory benchmarks run it: as a user does (bin/plaintap, --output none, OTLP to
 * a receiver on 127.0.0.1), limited to the benchmark's nginx worker (--pid), its fd limit raised
 * (prlimit). Variants from the environment:
 *   BENCH_AGENT_ARGS   more agent options, e.g. `--ring-buffer-size 4MiB`
 *   BENCH_NODE_FLAGS   Node/V8 options instead of the launcher's, e.g. `--optimize-for-size`
 *   BENCH_AGENT_ENV    variables for the agent, e.g. `MALLOC_ARENA_MAX=16`
 */
import { CLI_PATH, PLAINTAP_BIN, startAgent, type AgentProcess } from '../support/agent-process';
import type { NginxServer } from '../support/nginx-server';

const words = (text: string | undefined): string[] => (text ?? '').split(' ').filter((word) => word.length > 0);

const AGENT_ARGS = words(process.env['BENCH_AGENT_ARGS']);
const NODE_FLAGS = words(process.env['BENCH_NODE_FLAGS']);
const AGENT_ENV: Record<string, string> = Object.fromEntries(
  words(process.env['BENCH_AGENT_ENV']).map((pair) => [
    pair.slice(0, pair.indexOf('=')),
    pair.slice(pair.indexOf('=') + 1),
  ]),
);

/** The variant in effect, for the report. */
export function benchAgentVariant(): string {
  return [...words(process.env['BENCH_AGENT_ENV']), ...NODE_FLAGS, ...AGENT_ARGS].join(' ') || '(defaults)';
}

export function startBenchAgent(nginx: NginxServer, endpoint: string, nofile: number): Promise<AgentProcess> {
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
        `--nofile=${nofile}:${nofile}`,
        '--',
        ...(NODE_FLAGS.length > 0 ? [process.execPath, ...NODE_FLAGS, CLI_PATH] : [PLAINTAP_BIN]),
      ],
      env: AGENT_ENV,
    },
  );
}
