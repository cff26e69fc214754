/**
 * The exporter with its SDK side in a worker thread: its books stay exact on the calling thread
 * (queue-full refusals against a collector that never answers, shutdown drops, mapping errors,
 * backpressure for replays), and the worker keeps the process alive only while it has work.
 */
import { accountedFor, EXPORTER_TEST_CONNECTION, numberedRawMessage } from '../../../support/exporter-records';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import type { MappableRecord } from '../../../../agent/export/otlp/log-record-mapping';
import { createThreadedOtlpLogExporter } from '../../../../agent/export/otlp/threaded-otlp-log-exporter';
import { startOtlpReceiver } from '../../../support/otlp-receiver';

const connection = EXPORTER_TEST_CONNECTION;
const raw = (i: number): RawMessage => numberedRawMessage(i);

/** A TCP listener that accepts and never says a word: every export hangs until its deadline. */
async function silentCollector(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
});

describe('createThreadedOtlpLogExporter', () => {
  it('refuses and counts records once the queue is full, and accounts for every one at shutdown', async () => {
    const collector = await silentCollector();
    closers.push(collector.close);
    const exporter = createThreadedOtlpLogExporter({
      endpoint: collector.endpoint,
      env: {},
      maxQueueSize: 8,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 10,
      exportTimeoutMillis: 60_000,
      retry: false,
    });
    for (let i = 0; i < 30; i++) exporter.emit(raw(i));
    const during = exporter.stats();
    assert.equal(during.received, 30);
    assert.equal(during.accepted, 8, 'nothing was handed over yet: the queue holds 8');
    assert.equal(during.dropped.queueFull, 22);
    assert.equal(accountedFor(exporter), 30);

    const room = exporter.waitForRoom();
    assert.ok(room, 'a full queue makes a replay wait');
    exporter.emit({ kind: 'nonsense' } as unknown as MappableRecord);
    await exporter.shutdown(200);
    await room; // shutdown releases whoever waits for room
    const final = exporter.stats();
    assert.equal(final.received, 31);
    assert.equal(final.exported, 0);
    assert.equal(final.queueDepth, 0);
    assert.equal(final.inFlight, 0);
    assert.equal(final.dropped.shutdown, 8, 'accepted, never answered: lost at shutdown');
    assert.equal(final.dropped.queueFull, 23, 'refused before mapping: the queue was still full');
    assert.equal(accountedFor(exporter), 31);
    assert.equal(exporter.ready, false);
  });

  it('bounds the queue in encoded bytes too: large records beyond the budget are refused and counted', async () => {
    const collector = await silentCollector();
    closers.push(collector.close);
    const exporter = createThreadedOtlpLogExporter({
      endpoint: collector.endpoint,
      env: {},
      maxQueueSize: 1000,
      maxQueueBytes: 11_000,
      maxExportBatchSize: 500,
      scheduledDelayMillis: 60_000,
      exportTimeoutMillis: 60_000,
      retry: false,
    });
    const big = (i: number): RawMessage => ({ ...raw(i), payload: new Uint8Array(3000).fill(0x41), length: 3000 });
    for (let i = 0; i < 10; i++) exporter.emit(big(i));
    exporter.emit(raw(10)); // a small one still fits
    const during = exporter.stats();
    assert.equal(during.received, 11);
    assert.equal(during.accepted, 4, 'three ~3.2 KB records fit 11,000 bytes, a fourth does not, the small one does');
    assert.equal(during.dropped.queueFull, 7);
    assert.ok(during.queueBytes > 9_000 && during.queueBytes <= 11_000, `queue bytes ${during.queueBytes}`);
    assert.equal(during.maxQueueBytes, 11_000);
    assert.equal(accountedFor(exporter), 11);
    assert.ok(exporter.waitForRoom(), 'a queue past half its byte budget makes a replay wait');
    await exporter.shutdown(200);
    assert.equal(exporter.stats().dropped.shutdown, 4);
    assert.equal(accountedFor(exporter), 11);
  });

  it('counts a record that cannot be mapped', async () => {
    const receiver = await startOtlpReceiver();
    closers.push(receiver.stop);
    const exporter = createThreadedOtlpLogExporter({ endpoint: receiver.endpoint, env: {}, scheduledDelayMillis: 10 });
    exporter.emit({ kind: 'nonsense' } as unknown as MappableRecord);
    exporter.emit(raw(1));
    await receiver.waitFor((records) => records.length === 1, 10_000);
    await exporter.shutdown();
    const s = exporter.stats();
    assert.equal(s.dropped.mappingError, 1);
    assert.equal(s.exported, 1);
    assert.equal(accountedFor(exporter), 2);
  });

  it('lets the process exit once its records are answered, without a shutdown', async () => {
    const receiver = await startOtlpReceiver();
    closers.push(receiver.stop);
    const module = path.resolve(__dirname, '../../../../agent/export/otlp/threaded-otlp-log-exporter.js');
    const script = `
      const { createThreadedOtlpLogExporter } = require(${JSON.stringify(module)});
      const exporter = createThreadedOtlpLogExporter({ endpoint: ${JSON.stringify(receiver.endpoint)}, env: {}, scheduledDelayMillis: 10 });
      exporter.emit({ kind: 'raw', connection: ${JSON.stringify({ ...connection, sockId: undefined })}, direction: 0,
        timestampNs: 1n, payload: new TextEncoder().encode('bye'), length: 3, truncated: false });`;
    // Asynchronously: the receiver in this process must be able to answer.
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill(), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    assert.equal(code, 0, `exited by itself: ${stderr}`);
    const records = await receiver.waitFor((all) => all.length === 1, 5000);
    assert.equal(records[0]?.body, 'bye', 'the record went out before the process ended');
  });
});
