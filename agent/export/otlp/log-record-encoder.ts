/**
 * Maps and encodes one record as an OTLP `LogRecord` protobuf message — the bytes the
 * OpenTelemetry JS SDK (LoggerProvider → LogRecordImpl → ProtobufLogsSerializer) would produce
 * for the mapped record, field for field and in the same order, with the SDK's rules applied:
 * at most 128 attributes (the rest counted as dropped), integers within int64 as `int_value`
 * and other numbers as `double_value`, a trace context only when valid, the observed time in
 * milliseconds.
 *
 * Why not the SDK's own path: it builds and validates a LogRecord object per record and encodes
 * it generically, about 20 µs for plaintap's ~28 attributes — twice everything else the agent
 * does per exchange. Here the mapping writes each attribute straight into the message (no
 * attribute object), and a connection's attributes (process, thread, network, TLS library) are
 * encoded once and reused for all its records.
 */
import { isSpanContextValid } from '@opentelemetry/api';
import type { ConnectionFacts } from '../../capture/captured-event';
import {
  connectionOf,
  mapConnectionAttributes,
  mapRecord,
  resolveMappingOptions,
  type AttributeValue,
  type AttributeWriter,
  type LogRecordMappingOptions,
  type MappableRecord,
  type MappedLogRecordHead,
  type ResolvedMappingOptions,
} from './log-record-mapping';
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

/** `KeyValue.key` and the tag of `KeyValue.value`, per key: the same few keys come on every record. */
const keyPrefixes = new Map<string, Uint8Array>();
const MAX_CACHED_KEYS = 1024;

function keyPrefix(key: string): Uint8Array {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    const out = new ProtobufWriter(key.length * 3 + 8);
    out.tag(1, WIRE_LENGTH);
    out.string(key);
    out.tag(2, WIRE_LENGTH);
    prefix = out.copy();
    if (keyPrefixes.size >= MAX_CACHED_KEYS) keyPrefixes.clear(); // header allow-lists are short; stay bounded anyway
    keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/** One `KeyValue` as a repeated field `field`. */
export function writeKeyValue(
  out: ProtobufWriter,
  field: number,
  key: string,
  value: AttributeValue | null | undefined,
): void {
  out.tag(field, WIRE_LENGTH);
  const keyValue = out.begin();
  out.raw(keyPrefix(key));
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
  for (let i = 0; i < length; i++)
    out.bytes[out.pos++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
}

interface EncodedAttributes {
  /** The encoded attributes, one char per byte (ProtobufWriter.copyBytesAsLatin1): kept per connection. */
  readonly bytes: string;
  readonly count: number;
}

/** Attributes written straight into `out` as LogRecord.attributes (field 6), at most `limit`, the rest counted. */
class EncodingAttributes implements AttributeWriter {
  readonly out = new ProtobufWriter(1024);
  count = 0;
  dropped = 0;

  constructor(private readonly limit: number) {}

  /** Starts a record whose first `count` attributes were already written elsewhere. */
  reset(count: number): void {
    this.out.reset();
    this.count = count;
    this.dropped = 0;
  }

  set(key: string, value: AttributeValue): void {
    if (this.count >= this.limit) {
      this.dropped++;
      return;
    }
    this.count++;
    writeKeyValue(this.out, ATTRIBUTES, key, value);
  }
}

export class LogRecordEncoder {
  private readonly options: ResolvedMappingOptions;
  /** A connection's attributes, encoded once for all its records (they share the facts object). */
  private readonly connections = new WeakMap<ConnectionFacts, EncodedAttributes>();
  private readonly attributes: EncodingAttributes;
  /** Where a new connection's attributes are written before they are kept. */
  private readonly connectionScratch: EncodingAttributes;

  constructor(mapping: LogRecordMappingOptions = {}, attributeCountLimit = ATTRIBUTE_COUNT_LIMIT) {
    this.options = resolveMappingOptions(mapping);
    this.attributes = new EncodingAttributes(attributeCountLimit);
    this.connectionScratch = new EncodingAttributes(attributeCountLimit);
  }

  /**
   * Maps `record` and appends its `LogRecord` message (the content: no tag, no length) to `out`;
   * returns the record's mapped fields but its attributes. `observedMillis` is the SDK's
   * observed time: when the record was emitted, in ms. Throws when the record cannot be mapped;
   * nothing is written then.
   */
  encode(record: MappableRecord, observedMillis: number, out: ProtobufWriter): MappedLogRecordHead {
    const facts = connectionOf(record);
    const connection = facts === undefined ? NO_ATTRIBUTES : this.connectionAttributes(facts);
    const attributes = this.attributes;
    attributes.reset(connection.count);
    const head = mapRecord(record, this.options, attributes);

    const [seconds, nanos] = head.timestamp;
    out.tag(TIME_UNIX_NANO, WIRE_FIXED64);
    writeHrTime(out, seconds, nanos);
    if (head.severityNumber !== 0) {
      out.tag(SEVERITY_NUMBER, WIRE_VARINT);
      out.varint(head.severityNumber);
    }
    if (head.severityText !== '') {
      out.tag(SEVERITY_TEXT, WIRE_LENGTH);
      out.string(head.severityText);
    }
    out.tag(BODY, WIRE_LENGTH);
    const body = out.begin();
    writeAnyValue(out, head.body);
    out.end(body);
    // The connection's attributes first, as the mapping orders them, then the record's own.
    out.rawLatin1(connection.bytes);
    out.raw(attributes.out.bytes.subarray(0, attributes.out.pos));
    out.tag(DROPPED_ATTRIBUTES_COUNT, WIRE_VARINT);
    out.varint(attributes.dropped);

    const trace = head.traceContext;
    if (
      trace !== undefined &&
      isSpanContextValid({ traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.traceFlags })
    ) {
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
    if (head.eventName !== '') {
      out.tag(EVENT_NAME, WIRE_LENGTH);
      out.string(head.eventName);
    }
    return head;
  }

  private connectionAttributes(facts: ConnectionFacts): EncodedAttributes {
    let encoded = this.connections.get(facts);
    if (encoded === undefined) {
      const attributes = this.connectionScratch;
      attributes.reset(0);
      mapConnectionAttributes(facts, attributes);
      encoded = { bytes: attributes.out.copyBytesAsLatin1(), count: attributes.count };
      this.connections.set(facts, encoded);
    }
    return encoded;
  }
}

const NO_ATTRIBUTES: EncodedAttributes = { bytes: '', count: 0 };
