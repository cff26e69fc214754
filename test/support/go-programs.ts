/**
 * The Go TLS programs of test/fixtures/go and test/fixtures/go-grpc, built by
 * scripts/build-go-fixtures.sh into the cache (quick when up to date): a net/http client in several
 * build variants, a net/http TLS server, and a gRPC server and client over TLS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Certificate } from './tls-fixtures';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'scripts', 'build-go-fixtures.sh');

/** Client builds: default, -s -w, PIE + trimpath, CGO_ENABLED=0, Go 1.17 (oldest claimed), Go 1.16 (skipped). */
export const GO_CLIENT_VARIANTS = ['gocli', 'gocli-strip', 'gocli-pie', 'gocli-static', 'gocli-go117'] as const;
export type GoProgram =
  (typeof GO_CLIENT_VARIANTS)[number] | 'gocli-ext' | 'gocli-go116' | 'gosrv' | 'gogrpc-server' | 'gogrpc-client';

let directory: string | undefined;

/** The path of a built program (builds them all on first use). */
export function goProgram(name: GoProgram): string {
  directory ??= execFileSync(SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return path.join(directory, name);
}

export interface GoClient {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Lets a client started with waitStdin make its requests. */
  release(): void;
  /** Resolves when the client exits, with its output. */
  done(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export interface GoClientOptions {
  readonly requests?: number;
  readonly goroutines?: number;
  /** Wait for release() before the first request (so that a process can be running before plaintap). */
  readonly waitStdin?: boolean;
  readonly exitAfter?: string;
  readonly http2?: boolean;
}

/** Starts the net/http client; with waitStdin, resolves once it says "waiting". */
export function startGoClient(file: string, url: string, options: GoClientOptions = {}): Promise<GoClient> {
  const args = ['-url', url, '-n', String(options.requests ?? 1), '-c', String(options.goroutines ?? 1)];
  if (options.exitAfter) args.push('-exit-after', options.exitAfter);
  if (options.http2) args.push('-h2');
  return startClient(file, args, options.waitStdin ?? false);
}

/**
 * Starts the gRPC client against host:port: Unary, Missing, ServerStream, ClientStream on one
 * connection, a line each on stdout; with waitStdin, resolves once it says "waiting".
 */
export function startGoGrpcClient(address: string, options: { readonly waitStdin?: boolean } = {}): Promise<GoClient> {
  return startClient(goProgram('gogrpc-client'), ['-addr', address], options.waitStdin ?? false);
}

async function startClient(file: string, args: string[], waitStdin: boolean): Promise<GoClient> {
  if (waitStdin) args.push('-wait-stdin');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  if (waitStdin) {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (stdout.includes('waiting\n')) resolve();
      };
      child.stdout?.on('data', check);
      child.on('exit', () => reject(new Error(`${file} exited before waiting: ${stderr}`)));
      check();
    });
  } else {
    child.stdin?.end();
  }
  return {
    child,
    pid: child.pid ?? 0,
    release: () => child.stdin?.end('go\n'),
    done: () => exited,
  };
}

export interface GoServer {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/** The net/http TLS server (`file`: gosrv or a copy of it under another name) on a free port it picks and prints. */
export function startGoServer(cert: Certificate, file = goProgram('gosrv')): Promise<GoServer> {
  return startServer(file, cert);
}

/** The gRPC TLS server (plaintap.test.Echo) on a free port. */
export function startGoGrpcServer(cert: Certificate): Promise<GoServer> {
  return startServer(goProgram('gogrpc-server'), cert);
}

async function startServer(file: string, cert: Certificate): Promise<GoServer> {
  const child = spawn(file, ['-cert', cert.certFile, '-key', cert.keyFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`${path.basename(file)} exited (${code}): ${stderr}`)));
  });
  return {
    pid: child.pid ?? 0,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
