/** Finding and printing the log records a test OTLP receiver (otlp-receiver.ts) got from the agent. */
import type { DecodedLogRecord } from './otlp-receiver';

/** The records of event `eventName` that process `pid` produced, in arrival order. */
export function recordsOf(records: readonly DecodedLogRecord[], eventName: string, pid: number): DecodedLogRecord[] {
  return records.filter((r) => r.eventName === eventName && r.attributes['process.pid'] === pid);
}

/** The HTTP exchange records (`plaintap.http.exchange`) of process `pid`. */
export function exchangesOf(records: readonly DecodedLogRecord[], pid: number): DecodedLogRecord[] {
  return recordsOf(records, 'plaintap.http.exchange', pid);
}

/** For failure messages: what did arrive, one line a record. */
export function describeRecords(records: readonly DecodedLogRecord[]): string {
  const lines = records.map(
    (r) => `  ${r.eventName} pid=${String(r.attributes['process.pid'])} ${JSON.stringify(String(r.body).slice(0, 60))}`,
  );
  return `received ${records.length} records:\n${lines.join('\n')}`;
}

/** Records as one JSON text (bigints as decimal, bytes as latin1), to search for what must not leave. */
export function recordsText(records: unknown): string {
  return JSON.stringify(records, (_key, value: unknown) =>
    typeof value === 'bigint'
      ? String(value)
      : value instanceof Uint8Array
        ? Buffer.from(value).toString('latin1')
        : value,
  );
}
