/**
 * The tracers the traced-application benchmarks attach: the floor (test/bench/floor: no-op or
 * minimal-capture probes on plaintap's hook points, C + libbpf) and the agent itself.
 */
import path from 'node:path';
import { analyzeGoExecutable } from '../../agent/capture/targets/go-targets';
import { PLAINTAP_BIN } from '../support/agent-process';
import { startReady } from './bench-support';
import type { TracerMode } from './traced-app-rounds';

export const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const FLOOR = path.resolve(__dirname, '..', '..', '..', 'build', 'bench', 'floor');

/**
 * The floor's argument for a Go executable: the file offsets of crypto/tls.(*Conn).Write, .Read
 * and Read's RET instructions, as plaintap's own Go target finder computes them.
 */
export function goFloorTarget(file: string): string {
  const analysis = analyzeGoExecutable(file);
  if (analysis?.kind !== 'attach')
    throw new Error(`${file}: no Go TLS probes (${analysis?.reason ?? 'not a Go TLS program'})`);
  const offsets = (program: string): string[] =>
    analysis.probes.filter((p) => p.program === program).map((p) => `0x${p.offset.toString(16)}`);
  const [write] = offsets('go_tls_write_entry');
  const [read] = offsets('go_tls_read_entry');
  return `go:${file}:${write}:${read}:${offsets('go_tls_read_return').join(',')}`;
}

/**
 * The floor on `targets` (`openssl:FILE`, `nodejs:FILE`, `postgres:FILE`, goFloorTarget(…)),
 * in every process or in `pid` only.
 */
export function floorMode(
  name: string,
  kind: 'noop' | 'capture',
  targets: () => readonly string[],
  pid?: () => number,
): TracerMode {
  return {
    name,
    start: () => startReady(FLOOR, [kind, ...(pid ? ['-p', String(pid())] : []), ...targets()]),
  };
}

/** The agent with no output (`--output none`) unless `env` points it at an exporter. */
export function agentMode(
  name: string,
  args: () => readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): TracerMode {
  return {
    name,
    start: () => startReady(PLAINTAP_BIN, ['--output', 'none', '--metrics-address', 'off', ...args()], env),
  };
}

/** No tracer. */
export const BASE_MODE: TracerMode = { name: 'base', start: () => Promise.resolve(undefined) };
