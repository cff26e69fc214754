/**
 * A log record already encoded (log-record-encoder.ts), in the shape the SDK's batch processor
 * and exporters pass around. The batch processor only queues it (and reads its resource); the
 * logs serializer sends its bytes. Where the mapped record is at hand (the SDK side on the main
 * thread), the readable fields are served from it, for exporters that look at records (tests);
 * in the export worker only the bytes exist.
 */
import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { AnyValue, LogAttributes as SdkLogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogAttributes, MappedLogRecordHead } from './log-record-mapping';

/** What a readable record is served from: the mapped fields, and its attributes when asked for. */
export interface ReadableSource {
  readonly head: MappedLogRecordHead;
  readonly attributes: () => LogAttributes;
  readonly observedMillis: number;
}

export class EncodedLogRecord implements ReadableLogRecord {
  // Set only for a record that carried a trace context (an optional field, not a getter).
  declare readonly spanContext?: SpanContext;

  constructor(
    /** The `LogRecord` message, without tag and length. */
    readonly encoded: Uint8Array,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    private readonly source?: ReadableSource,
  ) {
    const trace = source?.head.traceContext;
    if (trace !== undefined) {
      const spanContext: SpanContext = {
        traceId: trace.traceId,
        spanId: trace.spanId,
        traceFlags: trace.traceFlags,
        isRemote: true,
      };
      (this as { spanContext?: SpanContext }).spanContext = spanContext;
    }
  }

  get hrTime(): HrTime {
    return this.source ? this.source.head.timestamp : [0, 0];
  }

  get hrTimeObserved(): HrTime {
    const millis = this.source?.observedMillis ?? 0;
    return [Math.trunc(millis / 1000), Math.round((millis % 1000) * 1_000_000)];
  }

  get severityText(): string {
    return this.source?.head.severityText ?? '';
  }

  get severityNumber(): SeverityNumber {
    return this.source?.head.severityNumber ?? 0;
  }

  get body(): AnyValue {
    return this.source?.head.body;
  }

  get eventName(): string {
    return this.source?.head.eventName ?? '';
  }

  get attributes(): SdkLogAttributes {
    return (this.source?.attributes() ?? {}) as SdkLogAttributes;
  }

  get droppedAttributesCount(): number {
    return 0;
  }
}
