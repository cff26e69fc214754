/** The agent's `--output json` lines, parsed, and the HTTP/1 exchanges among them. */
import type { AgentProcess } from './agent-process';

/** One `--output json` line as parsed: tests read any field and assert its shape. */
export type JsonRecord = Record<string, any>;

/** The complete lines of `text`, parsed: a last line without its newline is still arriving and left out. */
export function parseJsonLines(text: string): JsonRecord[] {
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** The records of kind `kind` (`http1.exchange`, `http2.exchange`, `raw` …) of process `pid`, in output order. */
export function jsonRecordsOf(records: readonly JsonRecord[], kind: string, pid: number): JsonRecord[] {
  return records.filter((r) => r['kind'] === kind && r['pid'] === pid);
}

/** The `http1.exchange` records of process `pid`, in output order. */
export function jsonExchangesOf(records: readonly JsonRecord[], pid: number): JsonRecord[] {
  return jsonRecordsOf(records, 'http1.exchange', pid);
}

/** Waits for the first `http1.exchange` record of process `pid` on the agent's stdout. */
export function waitForJsonExchange(
  agent: AgentProcess,
  pid: number,
  timeoutMs = 15_000,
  what = 'the JSON exchange',
): Promise<JsonRecord> {
  return agent.waitFor(() => jsonExchangesOf(agent.records(), pid)[0], timeoutMs, what);
}

/** Waits until `find()` gives at least `count` records; resolves with them. */
export function waitForCount(
  agent: AgentProcess,
  find: () => JsonRecord[],
  count: number,
  what: string,
  timeoutMs = 20_000,
): Promise<JsonRecord[]> {
  return agent.waitFor(
    () => {
      const found = find();
      return found.length >= count ? found : undefined;
    },
    timeoutMs,
    what,
  );
}

/** The bytes of a raw record or of a body (`payload` as text, or `payload_base64`) as latin1 text; '' when absent. */
export function payloadText(part: JsonRecord): string {
  if (typeof part['payload'] === 'string') return part['payload'];
  if (typeof part['payload_base64'] === 'string')
    return Buffer.from(part['payload_base64'], 'base64').toString('latin1');
  return '';
}
