/** A scripted LogRecordExporter, to test what wraps one (retries, reconnection). */
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

export type ExportCallback = Parameters<LogRecordExporter['export']>[1];
export type ExportResult = Parameters<ExportCallback>[0];

/** An error as grpc-js reports a call that ended with status `code`. */
export function grpcError(code: number): Error {
  return Object.assign(new Error(`grpc status ${code}`), { code });
}

/**
 * Answers each export (on the next turn of the event loop) with the next result of its script: a
 * list (the last result repeated once the list is done) or a function. Counts exports and shutdowns.
 */
export class ScriptedLogExporter implements LogRecordExporter {
  exports = 0;
  shutdowns = 0;
  private readonly next: () => ExportResult;

  constructor(script: readonly ExportResult[] | (() => ExportResult)) {
    if (typeof script === 'function') this.next = script;
    else {
      if (script.length === 0) throw new Error('ScriptedLogExporter: an empty script');
      this.next = () => script[Math.min(this.exports - 1, script.length - 1)] as ExportResult;
    }
  }

  export(_logs: ReadableLogRecord[], callback: ExportCallback): void {
    this.exports += 1;
    const result = this.next();
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

/** One export of no records through `exporter`, resolved with its result. */
export function exportOnce(exporter: LogRecordExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([], resolve));
}
