/**
 * The stdout writer behind a guard: stdout may close under a running agent (`plaintap | head`,
 * a log shipper restarting). The first write error (EPIPE, …) stops this output only — logged
 * once, every record after it counted as dropped (`output_closed`) — while capture and OTLP export
 * go on. Without the guard Node's unhandled 'error' event would end the whole agent.
 */
import type { OutputRecord } from '../../exchange/output-record';
import type { ExporterStatsSnapshot } from '../../metrics/metrics-sources';
import type { RecordSink } from '../../protocols/protocol';

/** Where writers put their text: process.stdout, a file stream, or a test's collector. */
export interface TextStream {
  write(text: string): unknown;
}

/** A text stream that reports write errors as 'error' events (process.stdout, a socket, a pipe). */
export interface ErrorReportingStream extends TextStream {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export class StdoutOutput implements RecordSink {
  private written = 0;
  private dropped = 0;
  private closedBy: string | undefined;

  /**
   * `writer` writes to `stream`; `onClosed` runs once, with the error's code, when the stream
   * first fails.
   */
  constructor(
    private readonly writer: RecordSink,
    stream: ErrorReportingStream,
    private readonly onClosed: (code: string) => void,
  ) {
    stream.on('error', (error) => this.close(error.code ?? error.message));
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  emit(record: OutputRecord): void {
    if (this.closedBy !== undefined) {
      this.dropped++;
      return;
    }
    try {
      this.writer.emit(record);
      this.written++;
    } catch (error) {
      // A synchronous write failure closes the output the same way.
      const failure = error as NodeJS.ErrnoException;
      this.close(failure.code ?? failure.message);
      this.dropped++;
    }
  }

  /** exporter="stdout": records written (handed to the stream) and dropped after it closed. */
  stats(): ExporterStatsSnapshot {
    return {
      exporter: 'stdout',
      exported: this.written,
      exportFailures: 0,
      failedRecords: 0,
      dropped: { output_closed: this.dropped },
      queueDepth: 0,
    };
  }

  private close(code: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = code;
    this.onClosed(code);
  }
}
