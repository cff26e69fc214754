/**
 * What plaintap's PostgreSQL source costs the server: a private PostgreSQL (test/support/
 * postgres-server.ts: fsync off, pgbench scale 1) under `pgbench -S` (read-only, simple protocol),
 * transactions/s side by side:
 *   base      nothing attached
 *   noop      no-op programs on the postgres source's hook points (test/bench/floor)
 *   minimal   the same, copying each statement's text into a ring buffer, a C consumer discarding it
 *   plaintap  the agent with --sources postgres, --output none
 * Rounds are interleaved; medians and ratios are printed, with the CPU the tracer used per
 * transaction. Run: npm run bench -- pgbench
 *   BENCH_SECONDS (10)  BENCH_ROUNDS (3)  BENCH_CLIENTS (8)
 */
import path from 'node:path';
import { POSTGRES_BIN_DIR, startPostgres } from '../support/postgres-server';
import { runLoad } from './bench-support';
import { runTracedRounds, type TracedWorkload } from './traced-app-rounds';
import { agentMode, BASE_MODE, floorMode } from './tracer-modes';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 8);
const DB = 'plaintap_bench';
const PGBENCH = path.join(POSTGRES_BIN_DIR, 'pgbench');
const POSTGRES = path.join(POSTGRES_BIN_DIR, 'postgres');

async function main(): Promise<void> {
  const server = await startPostgres();
  const connect = ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres'];
  /** Runs pgbench for about `seconds` (killed if it runs well over) and returns its output. */
  const pgbench = (args: readonly string[], seconds: number): Promise<string> =>
    runLoad(PGBENCH, [...connect, ...args, DB], seconds);
  const targets = (): readonly string[] => [`postgres:${POSTGRES}`];
  const workload: TracedWorkload = {
    title: `PostgreSQL (${path.basename(path.dirname(POSTGRES_BIN_DIR))}, fsync off, scale 1) under pgbench -S -c ${CLIENTS} -T ${SECONDS}, ${ROUNDS} rounds, median transactions/s:`,
    rateUnit: 'tps',
    unitShort: 'tx',
    unitLong: 'transaction',
    modes: [
      BASE_MODE,
      floorMode('noop', 'noop', targets),
      floorMode('minimal', 'capture', targets),
      agentMode('plaintap', () => ['--sources', 'postgres']),
    ],
    warmUp: async () => {
      const created = await server.psql('postgres', [`CREATE DATABASE ${DB}`]);
      if (created.code !== 0) throw new Error(`CREATE DATABASE: ${created.stderr}`);
      await pgbench(['-i', '-q', '-s', '1'], 60);
      transactionsPerSecond(await pgbench(['-S', '-c', String(CLIENTS), '-T', '2'], 2)); // warm the cache, check the output
    },
    load: async (seconds) =>
      transactionsPerSecond(await pgbench(['-S', '-c', String(CLIENTS), '-T', String(seconds)], seconds)),
    stop: async () => {
      await server.stop();
      return [];
    },
  };
  await runTracedRounds(workload, SECONDS, ROUNDS);
}

function transactionsPerSecond(out: string): number {
  const match = /tps = ([\d.]+)/.exec(out);
  if (!match?.[1]) throw new Error(`pgbench printed no rate:\n${out}`);
  const failed = /number of failed transactions: (\d+)/.exec(out);
  if (failed && failed[1] !== '0') throw new Error(`pgbench saw failures:\n${out}`);
  return Number(match[1]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
