/**
 * A private MariaDB server for a test: mariadb-install-db into a temporary directory, then
 * mariadbd on 127.0.0.1 (a free port) and a unix socket in that directory, as root
 * (`--user=root`), no option files read.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runClient, type ClientRun } from './clients';
import { freePort } from './free-port';
import { makeTempDir } from './temp-dir';

export const MARIADBD = process.env['PLAINTAP_TEST_MARIADBD'] ?? '/usr/sbin/mariadbd';

export interface MariadbServer {
  readonly port: number;
  readonly pid: number;
  readonly socket: string;
  /** The mariadb client over TCP, running `sql` with -e (several statements: one line each in -e). */
  query(sql: string, database?: string): Promise<ClientRun>;
  /** The same over the unix socket. */
  querySocket(sql: string, database?: string): Promise<ClientRun>;
  stop(): Promise<void>;
}

export async function startMariadb(): Promise<MariadbServer> {
  const dir = makeTempDir('mariadb');
  const data = path.join(dir, 'data');
  execFileSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const socket = path.join(dir, 'mariadb.sock');
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const child: ChildProcess = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      `--pid-file=${path.join(dir, 'mariadb.pid')}`,
      '--skip-log-bin',
      '--innodb-flush-log-at-trx-commit=0',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = (connection: string[], sql: string, database?: string): Promise<ClientRun> =>
    runClient('mariadb', [
      '--no-defaults',
      ...connection,
      '-u',
      'root',
      ...(database ? ['-D', database] : []),
      '-e',
      sql,
    ]);
  const query = (sql: string, database?: string): Promise<ClientRun> =>
    client(['-h', '127.0.0.1', '-P', String(port)], sql, database);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`mariadbd exited: ${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
    const run = await query('SELECT 1');
    if (run.code === 0) break;
    if (Date.now() > deadline) throw new Error(`mariadbd did not answer: ${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    pid: child.pid ?? 0,
    socket,
    query,
    querySocket: (sql, database) => client(['-S', socket], sql, database),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
