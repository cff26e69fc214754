/** A real nginx (Debian) serving TLS on 127.0.0.1 from a private prefix, one worker. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import type { Certificate } from './tls-fixtures';

export interface NginxServer {
  readonly port: number;
  readonly masterPid: number;
  /** The worker that serves connections. */
  readonly workerPid: number;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Extra directives inside the server block. */
  readonly serverDirectives?: string;
  readonly httpDirectives?: string;
  /** `worker_connections` (default 1024); above it the worker's fd limit is raised to match. */
  readonly workerConnections?: number;
  /** Requests per keep-alive connection before nginx closes it (default 1000). */
  readonly keepaliveRequests?: number;
  /** Offer HTTP/2 by ALPN (`listen … ssl http2`). */
  readonly http2?: boolean;
}

/** 200 KiB of text that compresses well (for gzip tests): line N is "line N of the plaintap text fixture". */
export const TEXT_FILE = Array.from({ length: 6000 }, (_, i) => `line ${i} of the plaintap text fixture\n`)
  .join('')
  .slice(0, 200 * 1024);

/** nginx's temporary directories, all under `prefix` (the default ones need root-owned paths). */
export function nginxTempPaths(prefix: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${prefix}/${kind === 'client_body' ? 'body' : kind};`)
    .join('\n  ');
}

export async function startNginx(cert: Certificate, options: NginxOptions = {}): Promise<NginxServer> {
  const port = await freePort();
  const prefix = fs.mkdtempSync(path.join(cert.dir, 'nginx-'));
  // nginx workers run as nobody: they must be able to read the document root.
  fs.chmodSync(cert.dir, 0o755);
  fs.chmodSync(prefix, 0o755);
  fs.mkdirSync(path.join(prefix, 'logs'));
  fs.mkdirSync(path.join(prefix, 'html'));
  fs.writeFileSync(path.join(prefix, 'html', 'index.html'), 'hello from nginx\n');
  fs.writeFileSync(path.join(prefix, 'html', 'big.bin'), Buffer.alloc(1024 * 1024, 'x'));
  fs.writeFileSync(path.join(prefix, 'html', 'text.txt'), TEXT_FILE);
  const workerConnections = options.workerConnections ?? 1024;
  // Each connection needs an fd (the master runs as root, so the worker may raise its limit).
  const rlimit = workerConnections > 1024 ? `worker_rlimit_nofile ${workerConnections + 1024};` : '';
  const conf = `
worker_processes 1;
${rlimit}
daemon off;
master_process on;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  ${nginxTempPaths(prefix)}
  ${options.httpDirectives ?? ''}
  server {
    listen 127.0.0.1:${port} ssl${options.http2 === true ? ' http2' : ''};
    ssl_certificate ${cert.certFile};
    ssl_certificate_key ${cert.keyFile};
    root ${prefix}/html;
    keepalive_requests ${options.keepaliveRequests ?? 1000};
    location = /hello { return 200 "hello from nginx\\n"; }
    ${options.serverDirectives ?? ''}
  }
}
`;
  const confFile = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confFile, conf);
  const master: ChildProcess = spawn('nginx', ['-c', confFile, '-p', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  master.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const workerPid = await waitForWorker(master, () => stderr, port);
  return {
    port,
    masterPid: master.pid ?? 0,
    workerPid,
    stop: async () => {
      if (master.exitCode !== null) return;
      const exited = new Promise((resolve) => master.once('exit', resolve));
      master.kill('SIGQUIT');
      await exited;
    },
  };
}

async function waitForWorker(master: ChildProcess, stderr: () => string, port: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (master.exitCode !== null) throw new Error(`nginx exited: ${stderr()}`);
    let children = '';
    try {
      children = execFileSync('pgrep', ['-P', String(master.pid)], { encoding: 'utf8' });
    } catch {
      // No worker yet.
    }
    const worker = Number(children.trim().split('\n')[0]);
    if (worker > 0 && listening(port)) return worker;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not start on port ${port}: ${stderr()}`);
}

function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return fs.readFileSync('/proc/net/tcp', 'utf8').includes(`:${hex} 00000000:0000 0A`);
}
