import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RETRY,
  isRetryableExportError,
  RetryingLogRecordExporter,
} from '../../../../agent/export/otlp/retrying-log-record-exporter';
import { exportOnce, grpcError, ScriptedLogExporter } from '../../../support/scripted-log-exporter';

const fast = { ...DEFAULT_RETRY, initialBackoffMillis: 5, maxBackoffMillis: 20 };
const run = exportOnce;

describe('RetryingLogRecordExporter', () => {
  it('retries UNAVAILABLE until success', async () => {
    const inner = new ScriptedLogExporter([
      { code: 1, error: grpcError(14) },
      { code: 1, error: grpcError(14) },
      { code: 0 },
    ]);
    const retrying = new RetryingLogRecordExporter(inner, fast, 10_000);
    assert.equal((await run(retrying)).code, 0);
    assert.equal(inner.exports, 3);
    assert.equal(retrying.retries, 2);
  });

  it('does not retry permanent errors (INVALID_ARGUMENT, no code)', async () => {
    for (const error of [grpcError(3), new Error('Concurrent export limit reached')]) {
      const inner = new ScriptedLogExporter([{ code: 1, error }]);
      const retrying = new RetryingLogRecordExporter(inner, fast, 10_000);
      assert.equal((await run(retrying)).error, error);
      assert.equal(inner.exports, 1);
      assert.equal(retrying.retries, 0);
    }
  });

  it('gives up after maxAttempts with the last failure', async () => {
    const inner = new ScriptedLogExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(inner, { ...fast, maxAttempts: 3 }, 10_000);
    const result = await run(retrying);
    assert.equal(result.code, 1);
    assert.equal(inner.exports, 3);
  });

  it('does not start a retry past the deadline', async () => {
    const inner = new ScriptedLogExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(inner, { ...DEFAULT_RETRY, initialBackoffMillis: 1000 }, 100);
    assert.equal((await run(retrying)).code, 1);
    assert.equal(inner.exports, 1);
  });

  it('abandons waiting retries at shutdown', async () => {
    const inner = new ScriptedLogExporter([{ code: 1, error: grpcError(14) }]);
    const retrying = new RetryingLogRecordExporter(
      inner,
      { ...DEFAULT_RETRY, initialBackoffMillis: 60_000, maxBackoffMillis: 60_000 },
      600_000,
    );
    const pending = run(retrying);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await retrying.shutdown();
    assert.equal((await pending).code, 1);
    assert.equal(inner.exports, 1);
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
