/** NSS's own test peers from Debian's libnss3-tools: a certificate database, selfserv, tstclnt. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { makeTempDir } from './temp-dir';
import { waitForListener } from './listener';

/** The server certificate's nickname in the database. */
export const NSS_SERVER_NICKNAME = 'plaintap-server';

/** A database (sql: format) holding a self-signed EC certificate for 127.0.0.1. */
export function makeNssDatabase(): string {
  const dir = makeTempDir('nssdb');
  const noise = path.join(dir, 'noise');
  fs.writeFileSync(noise, crypto.randomBytes(64));
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password'], { stdio: 'ignore' });
  execFileSync(
    'certutil',
    [
      '-S',
      '-d',
      `sql:${dir}`,
      '-n',
      NSS_SERVER_NICKNAME,
      '-s',
      'CN=127.0.0.1',
      '-x',
      '-t',
      'CT,C,C',
      '-k',
      'ec',
      '-q',
      'nistp256',
      '-Z',
      'SHA256',
      '-v',
      '2',
      '--extSAN',
      'ip:127.0.0.1',
      '-z',
      noise,
    ],
    { stdio: 'ignore' },
  );
  return dir;
}

export interface Selfserv {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * selfserv on 127.0.0.1: answers each request with `HTTP/1.0 200 OK`, its fixed headers and the
 * request echoed back as the body, then closes (PR_Writev of the header and the echo).
 */
export async function startSelfserv(database: string): Promise<Selfserv> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'selfserv',
    ['-d', `sql:${database}`, '-e', NSS_SERVER_NICKNAME, '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForListener(port, 'selfserv', 20_000, () =>
    child.exitCode !== null ? `selfserv exited (${child.exitCode}): ${stderr}` : undefined,
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

/** tstclnt's arguments for a server on 127.0.0.1 (-o: accept the self-signed certificate). */
export function tstclntArgs(database: string, port: number, extra: readonly string[] = []): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-d', `sql:${database}`, '-o', ...extra];
}
