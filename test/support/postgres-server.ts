/**
 * A private PostgreSQL server for a test: initdb into a temporary directory and postgres on
 * 127.0.0.1 (a free port) and a unix socket in that directory, run as the `postgres` user
 * (the server refuses root), trust authentication. Debian's postgresql-15 by default.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runClient, type ClientRun } from './clients';
import { freePort } from './free-port';
import { makeTempDir } from './temp-dir';

export const POSTGRES_BIN_DIR = process.env['PLAINTAP_TEST_POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  readonly port: number;
  /** The postmaster's pid (backends are its children). */
  readonly pid: number;
  readonly dir: string;
  /** psql as the postgres user against `database`, one `-c` per statement. */
  psql(database: string, statements: readonly string[]): Promise<ClientRun>;
  pgbench(database: string, args: readonly string[]): Promise<ClientRun>;
  stop(): Promise<void>;
}

/** setpriv drops to the postgres user and execs: the spawned pid is the server itself. */
function asPostgres(file: string, args: readonly string[]): [string, string[]] {
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', file, ...args]];
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = makeTempDir('pg');
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const [initdb, initArgs] = asPostgres(path.join(POSTGRES_BIN_DIR, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
  ]);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, args] = asPostgres(path.join(POSTGRES_BIN_DIR, 'postgres'), [
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
  ]);
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const child: ChildProcess = spawn(postgres, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  /** Where the clients connect, as whom. */
  const server = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  const psql = (database: string, statements: readonly string[]): Promise<ClientRun> =>
    runClient('psql', ['-X', ...server, '-d', database, ...statements.flatMap((s) => ['-c', s])]);
  // Ready when it answers a query (condition, not a sleep).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`postgres exited: ${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
    const run = await psql('postgres', ['select 1']);
    if (run.code === 0) break;
    if (Date.now() > deadline) throw new Error(`postgres did not answer: ${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    pid: child.pid ?? 0,
    dir,
    psql,
    pgbench: (database, pgbenchArgs) =>
      runClient(path.join(POSTGRES_BIN_DIR, 'pgbench'), [...server, ...pgbenchArgs, database]),
    stop: async () => {
      // SIGINT: fast shutdown (backends end, no checkpoint wait).
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
