/**
 * Go and Node.js HTTPS servers as the traced server, under wrk (keep-alive, a short response):
 *   go    the Go net/http TLS server of test/fixtures/go (gosrv): crypto/tls probed at
 *         (*Conn).Write's entry, Read's entry and each of Read's RET instructions
 *   node  a Node.js `https` server (node-https-server.ts): /usr/bin/node's static OpenSSL,
 *         memory BIOs, writes taken at their return, sockets learned from syscalls (docs/nodejs.md)
 * "minimal" probes what plaintap probes: the server's TLS functions and wrk's libssl; the -pid
 * modes probe the server alone.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { goProgram, startGoServer } from '../support/go-programs';
import { makeCertificate, type Certificate } from '../support/tls-fixtures';
import { wrk } from './bench-support';
import type { TracedWorkload, WorkloadSettings } from './traced-app-rounds';
import { agentMode, BASE_MODE, floorMode, goFloorTarget, LIBSSL } from './tracer-modes';

interface Server {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

function serverWorkload(
  label: string,
  server: Server,
  serverTargets: readonly string[],
  settings: WorkloadSettings,
): TracedWorkload {
  const { seconds, rounds, connections } = settings;
  const url = `https://127.0.0.1:${server.port}/hello`;
  const everywhere = (): readonly string[] => [...serverTargets, `openssl:${LIBSSL}`];
  return {
    title: `${label} under wrk -t1 -c${connections} -d${seconds}s, ${rounds} rounds, median req/s:`,
    rateUnit: 'req/s',
    unitShort: 'req',
    unitLong: 'request',
    modes: [
      BASE_MODE,
      floorMode('noop', 'noop', everywhere),
      floorMode('minimal', 'capture', everywhere),
      agentMode('plaintap', () => []),
      floorMode(
        'minimal-pid',
        'capture',
        () => serverTargets,
        () => server.pid,
      ),
      agentMode('plaintap-pid', () => ['--pid', String(server.pid)]),
    ],
    pairs: [['plaintap-pid', 'minimal-pid']],
    warmUp: async () => void (await wrk(url, 1, connections)),
    load: (s) => wrk(url, s, connections),
    stop: async () => {
      await server.stop();
      return [];
    },
  };
}

export async function goWorkload(settings: WorkloadSettings): Promise<TracedWorkload> {
  const server = await startGoServer(makeCertificate());
  return serverWorkload(
    'Go net/http (TLS, keep-alive, 14-byte response)',
    server,
    [goFloorTarget(goProgram('gosrv'))],
    settings,
  );
}

export async function nodeWorkload(settings: WorkloadSettings): Promise<TracedWorkload> {
  const server = await startNodeServer(makeCertificate());
  return serverWorkload(
    `Node.js ${process.version} https (TLS, keep-alive, 16-byte response)`,
    server,
    [`nodejs:${process.execPath}`],
    settings,
  );
}

async function startNodeServer(cert: Certificate): Promise<Server> {
  const script = path.join(__dirname, 'node-https-server.js');
  const child = spawn(process.execPath, [script, cert.certFile, cert.keyFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-https-server did not listen: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => reject(new Error(`node-https-server exited: ${stderr}`)));
  });
  return {
    pid: child.pid ?? 0,
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
