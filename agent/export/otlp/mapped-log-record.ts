/** The shape of one mapped OTLP log record and the writer its attributes go to (shared by the mappers). */
import type { ParsedTraceparent } from './traceparent';

export type AttributeValue = string | number | boolean | readonly string[];
export type LogAttributes = Record<string, AttributeValue>;

export interface MappedLogRecord {
  readonly eventName: string;
  /** [seconds, nanoseconds] since the epoch, as the SDK's HrTime. */
  readonly timestamp: [number, number];
  readonly severityNumber: number;
  readonly severityText: string;
  /** A one-line summary (exchanges), or the captured payload: text when printable, else bytes. */
  readonly body: string | Uint8Array;
  readonly attributes: LogAttributes;
  /** From a W3C `traceparent` request header: the record joins the caller's trace. */
  readonly traceContext?: ParsedTraceparent;
}

/** A mapped record without its attributes (they went to an AttributeWriter). */
export type MappedLogRecordHead = Omit<MappedLogRecord, 'attributes'>;

/** Receives a record's attributes in order; the mapping sets each key at most once per record. */
export interface AttributeWriter {
  set(key: string, value: AttributeValue): void;
}
