/**
 * Hands every record to several sinks in order (stdout writer, OTLP exporter, statistics).
 * A sink that throws does not keep the record from the others; the first error is rethrown
 * after all were served, so the processor still counts it.
 */
import type { OutputRecord } from '../exchange/output-record';
import type { RecordSink } from '../protocols/protocol';

export class FanOutSink implements RecordSink {
  private readonly sinks: readonly RecordSink[];

  constructor(sinks: readonly RecordSink[]) {
    this.sinks = [...sinks];
  }

  emit(record: OutputRecord): void {
    let failure: Error | undefined;
    for (const sink of this.sinks) {
      try {
        sink.emit(record);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    if (failure !== undefined) throw failure;
  }
}
