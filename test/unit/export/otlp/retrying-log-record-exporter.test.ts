import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  DEFAULT_RETRY,
  isRetryableExportError,
  RetryingLogRecordExporter,
} from '../../../../agent/export/otlp/retrying-log-record-exporter';

type ExportCallback = Parameters<LogRecordExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

function grpcError(code: number): Error {
  return Object.assign(new Error(`grpc status ${code}`), { code });
}

/** Answers attempts from a script: one result per attempt, the last one repeated. */
class ScriptedExporter implements LogRecordExporter {
  attempts = 0;
  shutdowns = 0;
  constructor(private readonly script: readonly ExportResult[]) {}
  export(_logs: ReadableLogRecord[], callback: ExportCallback): void {
    const result = this.script[Math.min(this.attempts, this.script.length - 1)];
    this.attempts += 1;
    assert.ok(result);
    setImmediate(() => callback(result));
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.shutdowns += 1;
    return Promise.resolve();
  }
}

const fast = { ...DEFAULT_RETRY, initialBackoffMillis: 5, maxBackoffMillis: 20 };
const run = (exporter: LogRecordExporter): Promise<ExportResult> =>
  new Promise((resolve) => exporter.export([], resolve));

describe('RetryingLogRecordExporter', () => {
  it('retries UNAVAILABLE until success', async () => {
    const inner = new ScriptedExporter([
      { code: 1, error: grpcError(14) },
      { code: 1, error: grpcError(14) },
      { code: 0 },
    ]);
    const retrying = new RetryingLogRecordExporter(inner, fast, 10_000);
    assert.equal((await run(retrying)).code, 0);
    assert.equal(inner.attempts, 3);
    assert.equal(retrying.retries, 2);
  });

  it('does not retry permanent errors (INVALID_ARGUMENT, no code)', async () => {
    for (const error of [grpcError(3), new Error('Concurrent export limit reached')]) {
      const inner = new ScriptedExporter([{ code: 1, error }]);
      const retrying = new RetryingLogRecordExporter(inner, fast, 10_000);
      assert.equal((await run(retrying)).error, error);
      assert.equal(inner.attempts, 1);
      assert.equal(retrying.retries, 0);
    }
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const inner = new ScriptedExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(inner, { ...fast, maxAttempts: 3 }, 10_000);
    const result = await run(retrying);
    assert.equal(result.code, 1);
    assert.equal(inner.attempts, 3);
  });

  it('does not start a retry past the deadline', async () => {
    const inner = new ScriptedExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(inner, { ...DEFAULT_RETRY, initialBackoffMillis: 1000 }, 100);
    assert.equal((await run(retrying)).code, 1);
    assert.equal(inner.attempts, 1);
  });

  it('abandons waiting retries at shutdown', async () => {
    const inner = new ScriptedExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(
      inner,
      { ...DEFAULT_RETRY, initialBackoffMillis: 60_000, maxBackoffMillis: 60_000 },
      600_000,
    );
    const pending = run(retrying);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await retrying.shutdown();
    assert.equal((await pending).code, 1);
    assert.equal(inner.attempts, 1);
    assert.equal(inner.shutdowns, 1);
  });

  it('classifies the OTLP-retryable gRPC codes', () => {
    for (const code of [1, 4, 8, 10, 11, 14, 15])
      assert.equal(isRetryableExportError(grpcError(code)), true, String(code));
    for (const code of [0, 2, 3, 5, 6, 7, 9, 12, 13, 16])
      assert.equal(isRetryableExportError(grpcError(code)), false, String(code));
    assert.equal(isRetryableExportError(undefined), false);
  });
});
