/**
 * Encodes one mapped record as an OTLP `LogRecord` protobuf message — the bytes the
 * OpenTelemetry JS SDK (LoggerProvider → LogRecordImpl → ProtobufLogsSerializer) would produce
 * for the same record, field for field and in the same order, with the SDK's rules applied:
 * at most 128 attributes (the rest counted as dropped), integers within int64 as `int_value`
 * and other numbers as `double_value`, a trace context only when valid, the observed time in
 * milliseconds.
 *
 * Why not the SDK's own path: it builds and validates a LogRecord object per record and encodes
 * it generically, about 20 µs for plaintap's ~28 attributes — twice everything else the agent
 * does per exchange. Here a connection's attributes (process, thread, network, TLS library) are
 * encoded once and reused for all its records, and no intermediate objects are made.
 */
import { isSpanContextValid } from '@opentelemetry/api';
import type { AttributeValue, LogAttributes, MappedLogRecordParts } from './log-record-mapping';
import { ProtobufWriter, WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './protobuf-writer';

/** The SDK's default `logRecordLimits.attributeCountLimit`. */
export const ATTRIBUTE_COUNT_LIMIT = 128;

// LogRecord fields (opentelemetry/proto/logs/v1/logs.proto).
const TIME_UNIX_NANO = 1;
const SEVERITY_NUMBER = 2;
const SEVERITY_TEXT = 3;
const BODY = 5;
const ATTRIBUTES = 6;
const DROPPED_ATTRIBUTES_COUNT = 7;
const FLAGS = 8;
const TRACE_ID = 9;
const SPAN_ID = 10;
const OBSERVED_TIME_UNIX_NANO = 11;
const EVENT_NAME = 12;

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** An AnyValue (common.proto) as the SDK writes it. */
export function writeAnyValue(out: ProtobufWriter, value: AttributeValue | Uint8Array | null | undefined): void {
  if (typeof value === 'string') {
    out.tag(1, WIRE_LENGTH);
    out.string(value);
  } else if (typeof value === 'boolean') {
    out.tag(2, WIRE_VARINT);
    out.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
      out.tag(3, WIRE_VARINT);
      out.varint(value);
    } else {
      out.tag(4, WIRE_FIXED64);
      out.double(value);
    }
  } else if (value instanceof Uint8Array) {
    out.tag(7, WIRE_LENGTH);
    out.lengthPrefixed(value);
  } else if (Array.isArray(value)) {
    out.tag(5, WIRE_LENGTH);
    const array = out.begin();
    for (const item of value as readonly string[]) {
      out.tag(1, WIRE_LENGTH);
      const at = out.begin();
      writeAnyValue(out, item);
      out.end(at);
    }
    out.end(array);
  }
  // null and undefined: an empty AnyValue, as the SDK writes them.
}

/** One `KeyValue` as a repeated field `field`. */
export function writeKeyValue(out: ProtobufWriter, field: number, key: string, value: AttributeValue | null | undefined): void {
  out.tag(field, WIRE_LENGTH);
  const keyValue = out.begin();
  out.tag(1, WIRE_LENGTH);
  out.string(key);
  out.tag(2, WIRE_LENGTH);
  const anyValue = out.begin();
  writeAnyValue(out, value);
  out.end(anyValue);
  out.end(keyValue);
}

/** [seconds, nanoseconds] as fixed64 nanoseconds, exact beyond 2^53 (the SDK's arithmetic). */
export function writeHrTime(out: ProtobufWriter, seconds: number, nanos: number): void {
  const secondsLow16 = seconds & 0xffff;
  const secondsHigh = (seconds / 0x10000) >>> 0;
  const fromLow = secondsLow16 * 1_000_000_000;
  const fromHigh = secondsHigh * 1_000_000_000;
  const low = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
  const carry = Math.floor(low / 0x100000000);
  const high = (Math.floor(fromLow / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + carry) >>> 0;
  out.fixed64(low >>> 0, high);
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

function writeHexBytes(out: ProtobufWriter, hex: string): void {
  const length = hex.length >> 1;
  out.varint(length);
  out.ensure(length);
  for (let i = 0; i < length; i++) out.bytes[out.pos++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
}

interface EncodedAttributes {
  readonly bytes: Uint8Array;
  readonly count: number;
}

export class LogRecordEncoder {
  /** A connection's attributes, encoded once: its records share the (frozen) attributes object. */
  private readonly connections = new WeakMap<Readonly<LogAttributes>, EncodedAttributes>();
  private readonly scratch = new ProtobufWriter(512);

  constructor(private readonly attributeCountLimit = ATTRIBUTE_COUNT_LIMIT) {}

  /**
   * Appends the `LogRecord` message of `record` (its content: no tag, no length) to `out`.
   * `observedMillis` is the SDK's observed time: when the record was emitted, in ms.
   */
  encode(record: MappedLogRecordParts, observedMillis: number, out: ProtobufWriter): void {
    const [seconds, nanos] = record.timestamp;
    out.tag(TIME_UNIX_NANO, WIRE_FIXED64);
    writeHrTime(out, seconds, nanos);
    if (record.severityNumber !== 0) {
      out.tag(SEVERITY_NUMBER, WIRE_VARINT);
      out.varint(record.severityNumber);
    }
    if (record.severityText !== '') {
      out.tag(SEVERITY_TEXT, WIRE_LENGTH);
      out.string(record.severityText);
    }
    out.tag(BODY, WIRE_LENGTH);
    const body = out.begin();
    writeAnyValue(out, record.body);
    out.end(body);

    // The connection's attributes first (they come first in the mapping), then the record's own.
    const connection = this.connectionAttributes(record.connectionAttributes);
    out.raw(connection.bytes);
    let kept = connection.count;
    let dropped = 0;
    const own = record.attributes;
    for (const key in own) {
      if (kept >= this.attributeCountLimit) {
        dropped++;
        continue;
      }
      kept++;
      writeKeyValue(out, ATTRIBUTES, key, own[key]);
    }
    out.tag(DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
    out.varint(dropped);

    const trace = record.traceContext;
    if (trace !== undefined && isSpanContextValid({ traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.traceFlags })) {
      if (trace.traceFlags) {
        out.tag(FLAGS, WIRE_FIXED32);
        out.fixed32(trace.traceFlags);
      }
      out.tag(TRACE_ID, WIRE_LENGTH);
      writeHexBytes(out, trace.traceId);
      out.tag(SPAN_ID, WIRE_LENGTH);
      writeHexBytes(out, trace.spanId);
    }
    out.tag(OBSERVED_TIME_UNIX_NANO, WIRE_FIXED64);
    writeHrTime(out, Math.trunc(observedMillis / 1000), Math.round((observedMillis % 1000) * 1_000_000));
    if (record.eventName !== '') {
      out.tag(EVENT_NAME, WIRE_LENGTH);
      out.string(record.eventName);
    }
  }

  private connectionAttributes(attributes: Readonly<LogAttributes>): EncodedAttributes {
    let encoded = this.connections.get(attributes);
    if (encoded === undefined) {
      const scratch = this.scratch;
      scratch.reset();
      let count = 0;
      for (const key in attributes) {
        if (count >= this.attributeCountLimit) break;
        writeKeyValue(scratch, ATTRIBUTES, key, attributes[key]);
        count++;
      }
      encoded = { bytes: scratch.copy(), count };
      this.connections.set(attributes, encoded);
    }
    return encoded;
  }
}
