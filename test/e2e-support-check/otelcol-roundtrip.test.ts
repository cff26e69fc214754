/**
 * plaintap → the real OpenTelemetry Collector (built by scripts/build-otelcol.sh) → the test
 * receiver, all on 127.0.0.1. Skips when the Collector binary is not built, unless
 * PLAINTAP_BUILD_OTELCOL=1 asks to build it (about 2 minutes the first time).
 *
 *   node --test dist/test/e2e-support-check/
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Direction } from '../../agent/capture/captured-event';
import { createOtlpLogExporter } from '../../agent/export/otlp/otlp-log-exporter';
import { startOtlpReceiver } from '../support/otlp-receiver';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'scripts', 'build-otelcol.sh')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function collectorBinary(): string | undefined {
  const cache = process.env['PLAINTAP_CACHE'] ?? path.join(os.homedir(), '.cache', 'plaintap');
  const binary = path.join(cache, 'otelcol', 'otelcol-plaintap');
  if (existsSync(binary) && process.env['PLAINTAP_BUILD_OTELCOL'] !== '1') return binary;
  if (process.env['PLAINTAP_BUILD_OTELCOL'] !== '1') return undefined;
  const built = spawnSync(path.join(repoRoot(), 'scripts', 'build-otelcol.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return built.status === 0 ? built.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

describe('plaintap → OpenTelemetry Collector → receiver', () => {
  it('carries a record through the real Collector with event name, attributes and resource', async (t) => {
    const binary = collectorBinary();
    if (!binary) {
      t.skip('Collector not built: run scripts/build-otelcol.sh (or set PLAINTAP_BUILD_OTELCOL=1)');
      return;
    }
    const receiver = await startOtlpReceiver();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plaintap-otelcol-'));
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
        `    endpoint: 127.0.0.1:${receiver.port}`,
        '    tls:',
        '      insecure: true',
        '  debug:',
        '    verbosity: basic',
        'service:',
        '  telemetry:',
        '    metrics:',
        '      level: none',
        '  pipelines:',
        '    logs:',
        '      receivers: [otlp]',
        '      exporters: [otlp_grpc, debug]',
        '',
      ].join('\n'),
    );
    const collector = spawn(binary, ['--config', `file:${config}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    collector.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => collector.on('exit', () => resolve()));
    try {
      await waitForPort(grpcPort, 15_000);
      const exporter = createOtlpLogExporter({ endpoint: `http://127.0.0.1:${grpcPort}`, env: {}, scheduledDelayMillis: 20 });
      exporter.emit({
        kind: 'raw',
        connection: {
          pid: 4242, tid: 4243, uid: 0, comm: 'curl', fd: 5, sockId: 1n, ipVersion: 4,
          localAddress: '127.0.0.1', localPort: 50000, remoteAddress: '127.0.0.1', remotePort: 443, tlsLibrary: 'openssl',
        },
        direction: Direction.Egress,
        timestampNs: 1_764_000_000_123_456_789n,
        payload: new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'),
        length: 18,
        truncated: false,
      });
      const [record] = await receiver.waitFor((all) => all.length >= 1, 15_000);
      await exporter.shutdown();
      assert.ok(record);
      assert.equal(record.eventName, 'plaintap.raw.message', 'event_name survives the Collector');
      assert.equal(record.timeUnixNano, 1_764_000_000_123_456_789n);
      assert.equal(record.body, 'GET / HTTP/1.1\r\n\r\n');
      assert.equal(record.attributes['process.pid'], 4242);
      assert.equal(record.attributes['network.peer.port'], 443);
      assert.equal(record.resource['service.name'], 'plaintap');
      assert.equal(record.scope.name, 'plaintap');
    } catch (error) {
      process.stderr.write(`collector stderr:\n${stderr}\n`);
      throw error;
    } finally {
      collector.kill('SIGTERM');
      await exited;
      await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
