/**
 * The one parser of `key1=value1,key2=value2` lists: OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_EXPORTER_OTLP_HEADERS and plaintap's own key-value options. Entries split at commas, key
 * and value trimmed, the value percent-decoded. @opentelemetry/core's parseKeyPairsIntoRecord
 * drops a malformed entry silently; here every one is reported to the caller, who decides
 * whether it is an error (configuration) or a warning (environment).
 */

export interface KeyValueProblem {
  /** The entry as written, trimmed. */
  readonly entry: string;
  /** `no-key`: no `=` or nothing before it (skipped); `bad-encoding`: the value is kept as written. */
  readonly reason: 'no-key' | 'bad-encoding';
  /** The key, when there is one. */
  readonly key?: string;
}

export function parseKeyValueList(
  text: string,
  problem: (problem: KeyValueProblem) => void,
): Array<[key: string, value: string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (key === '') {
      problem({ entry, reason: 'no-key' });
      continue;
    }
    const written = entry.slice(eq + 1).trim();
    let value = written;
    try {
      value = decodeURIComponent(written);
    } catch {
      problem({ entry, reason: 'bad-encoding', key });
    }
    out.push([key, value]);
  }
  return out;
}
