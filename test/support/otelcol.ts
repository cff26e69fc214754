/**
 * The real OpenTelemetry Collector (built by scripts/build-otelcol.sh from its manifest) on
 * 127.0.0.1: an OTLP/gRPC receiver forwarding logs to another OTLP endpoint (the test receiver)
 * and to its debug exporter.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { makeTempDir } from './temp-dir';
import { waitForListener } from './listener';

export interface Collector {
  /** `http://127.0.0.1:<port>`: its OTLP/gRPC receiver. */
  readonly endpoint: string;
  stderr(): string;
  stop(): Promise<void>;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'scripts', 'build-otelcol.sh')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}

/**
 * The Collector binary: scripts/build-otelcol.sh answers at once when its cached build is up to
 * date (CI builds it in `scripts/setup --test`), else builds it (about 2 minutes, once).
 */
export function collectorBinary(): string {
  // Go is needed even to see that the cached build is current (its version is part of the stamp).
  const env = { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/local/go/bin` };
  const built = spawnSync(path.join(repoRoot(), 'scripts', 'build-otelcol.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const binary = built.stdout.trim().split('\n').pop() ?? '';
  if (built.status !== 0 || !existsSync(binary)) {
    throw new Error(`scripts/build-otelcol.sh failed (exit ${built.status}):\n${built.stderr}`);
  }
  return binary;
}

/** A Collector whose logs pipeline is otlp receiver → otlp_grpc exporter to `forwardPort` (+ debug). */
export async function startCollector(forwardPort: number): Promise<Collector> {
  const binary = collectorBinary();
  const dir = makeTempDir('otelcol');
  const grpcPort = await freePort();
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      grpc:',
      `        endpoint: 127.0.0.1:${grpcPort}`,
      'exporters:',
      '  otlp_grpc:',
      `    endpoint: 127.0.0.1:${forwardPort}`,
      '    tls:',
      '      insecure: true',
      '  debug:',
      '    verbosity: basic',
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none', // no :8888 listener of its own
      '  pipelines:',
      '    logs:',
      '      receivers: [otlp]',
      '      exporters: [otlp_grpc, debug]',
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['--config', `file:${config}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForListener(grpcPort, 'the Collector', 20_000, () =>
      child.exitCode !== null ? `the Collector exited (${child.exitCode})` : undefined,
    );
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    endpoint: `http://127.0.0.1:${grpcPort}`,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
