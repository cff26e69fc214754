/**
 * A real session to replay in benchmarks: nginx (one worker, TLS, /hello = 17 bytes) loaded by
 * wrk over HTTP/1.1 keep-alive, or by h2load over HTTP/2 (`listen … ssl http2`), while the real
 * agent records it (`plaintap record FILE --comm nginx`). Every byte in the file comes from the
 * kernel capture.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordFileError, RecordFileReader } from '../../agent/capture/record-file';
import { startAgent } from '../support/agent-process';
import { startNginx } from '../support/nginx-server';
import { makeCertificate } from '../support/tls-fixtures';
import { h2load, wrk } from './bench-support';

/** wrk for a time over HTTP/1.1, or h2load for a number of requests over HTTP/2. */
export type SessionLoad =
  | { readonly tool: 'wrk'; readonly seconds: number; readonly connections: number }
  | { readonly tool: 'h2load'; readonly requests: number; readonly clients: number; readonly streams: number };

export interface RecordedSession {
  readonly file: string;
  /** The load tool's rate while recording (nginx traced). */
  readonly requestsPerSecond: number;
  readonly seconds: number;
  /** The agent's `info stopped …` line. */
  readonly summary: string;
}

/** Records into `file` (default: a temporary one). */
export async function recordNginxSession(load: SessionLoad, file?: string): Promise<RecordedSession> {
  const cert = makeCertificate();
  const http2 = load.tool === 'h2load';
  // HTTP/2: no GOAWAY after nginx's default 1000 requests per connection (h2load would not reconnect).
  const nginx = await startNginx(cert, http2 ? { http2, keepaliveRequests: load.requests } : {});
  const target = file ?? path.join(cert.dir, 'session.ptap');
  try {
    const agent = await startAgent(['record', target, '--comm', 'nginx', '--metrics-address', 'off']);
    const url = `https://127.0.0.1:${nginx.port}/hello`;
    // The agent is stopped whether the load succeeded or not; the load's failure is reported first.
    const run = await (
      load.tool === 'wrk'
        ? wrk(url, load.seconds, load.connections).then((rate) => ({ rate, seconds: load.seconds }))
        : h2load(url, { requests: load.requests }, load.clients, load.streams)
    ).then(
      (done) => done,
      (error: unknown) => ({ error }),
    );
    const code = await agent.stop();
    if ('error' in run) throw run.error;
    if (code !== 0) throw new Error(`recording agent exited ${code}:\n${agent.stderr()}`);
    const summary =
      agent
        .stderr()
        .split('\n')
        .find((line) => line.includes('info stopped')) ?? '';
    return { file: target, requestsPerSecond: run.rate, seconds: run.seconds, summary };
  } finally {
    await nginx.stop();
  }
}

/**
 * A session kept in ~/.cache/plaintap/bench under `name`: recorded once, then reused while this
 * plaintap can still read it (a record file of another ABI is recorded again).
 */
export async function cachedNginxSession(
  name: string,
  load: SessionLoad,
  log: (line: string) => void,
): Promise<string> {
  const dir = path.join(os.homedir(), '.cache', 'plaintap', 'bench');
  const file = path.join(dir, `${name}.ptap`);
  if (fs.existsSync(file)) {
    try {
      new RecordFileReader(file);
      return file;
    } catch (error) {
      if (!(error instanceof RecordFileError)) throw error;
      log(`${file} cannot be replayed (${error.message}): recording it again`);
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Recorded beside, then renamed: an interrupted recording leaves no half file under the name.
  const partial = `${file}.partial`;
  const session = await recordNginxSession(load, partial);
  fs.renameSync(partial, file);
  log(`recorded ${file} at ${Math.round(session.requestsPerSecond)} req/s: ${session.summary}`);
  return file;
}

/** The HTTP/2 session of the http2-replay and hpack-compare benchmarks: h2load -n 20000 -c 4 -m 10 against nginx. */
export function cachedH2loadSession(log: (line: string) => void): Promise<string> {
  const load = { tool: 'h2load', requests: 20_000, clients: 4, streams: 10 } as const;
  return cachedNginxSession(`nginx-h2load-n${load.requests}-c${load.clients}-m${load.streams}`, load, log);
}
