/**
 * A real session to replay in benchmarks: nginx (one worker, TLS, /hello = 17 bytes) loaded by
 * wrk over keep-alive while the real agent records it (`plaintap record FILE --comm nginx`).
 * Every byte in the file comes from the kernel capture.
 */
import path from 'node:path';
import { startAgent } from '../support/agent-process';
import { startNginx } from '../support/nginx-server';
import { makeCertificate } from '../support/tls-fixtures';
import { wrk } from './bench-support';

export interface RecordedSession {
  readonly file: string;
  /** wrk's rate while recording (nginx traced). */
  readonly requestsPerSecond: number;
  readonly seconds: number;
  /** The agent's `info stopped …` line. */
  readonly summary: string;
}

export async function recordNginxSession(seconds: number, connections = 16): Promise<RecordedSession> {
  const cert = makeCertificate();
  const nginx = await startNginx(cert);
  const file = path.join(cert.dir, 'session.ptap');
  try {
    const agent = await startAgent(['record', file, '--comm', 'nginx', '--metrics-address', 'off']);
    // The agent is stopped whether wrk succeeded or not; wrk's failure is reported first.
    const run = await wrk(`https://127.0.0.1:${nginx.port}/hello`, seconds, connections).then(
      (rate) => ({ rate }),
      (error: unknown) => ({ error }),
    );
    const code = await agent.stop();
    if ('error' in run) throw run.error;
    if (code !== 0) throw new Error(`recording agent exited ${code}:\n${agent.stderr()}`);
    const requestsPerSecond = run.rate;
    const summary =
      agent
        .stderr()
        .split('\n')
        .find((line) => line.includes('info stopped')) ?? '';
    return { file, requestsPerSecond, seconds, summary };
  } finally {
    await nginx.stop();
  }
}
