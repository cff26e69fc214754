/** Real TLS clients from Debian, run against 127.0.0.1 servers. */
import { spawn } from 'node:child_process';

export interface ClientRun {
  readonly pid: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runClient(
  file: string,
  args: readonly string[],
  input?: string,
  env?: Readonly<Record<string, string>>,
): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    // No input: no stdin pipe at all (a client that exits at once must not race an EPIPE).
    const child = spawn(file, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ pid: child.pid ?? 0, code, stdout, stderr }));
    if (input !== undefined) {
      // The client may close its stdin before reading it all (openssl s_client with -quiet does not).
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    }
  });
}

/** curl forced to HTTP/1.1 (it negotiates h2 when offered); stdout has the local port, a line per URL. */
export function curl(url: string, extra: readonly string[] = []): Promise<ClientRun> {
  return runClient('curl', ['-sk', '--http1.1', '-o', '/dev/null', '-w', '%{local_port}\n', url, ...extra]);
}

/** curl over HTTP/2 (ALPN); stdout has "local_port http_version", a line per URL. */
export function curlHttp2(urls: readonly string[], extra: readonly string[] = []): Promise<ClientRun> {
  const outputs = urls.flatMap(() => ['-o', '/dev/null']);
  return runClient('curl', [
    '-sk',
    '--http2',
    '--max-time',
    '30',
    '-w',
    '%{local_port} %{http_version}\n',
    ...outputs,
    ...extra,
    ...urls,
  ]);
}

/** The local port of curl's (first) connection. */
export function localPort(run: ClientRun): number {
  return Number(run.stdout.split('\n')[0]);
}

export const PYTHON = '/usr/bin/python3';
