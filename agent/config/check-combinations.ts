/**
 * Checks that involve more than one option (each option's own checks run while it is parsed).
 * Returns what is wrong, naming every key involved and where its value came from.
 */
import type { EffectiveValue } from './option-spec';

type Values = ReadonlyMap<string, EffectiveValue>;

function describe(values: Values, key: string): string {
  const entry = values.get(key);
  return `${key}=${JSON.stringify(entry?.value ?? null)} (${entry?.source ?? 'default'})`;
}

export function checkCombinations(values: Values): string | undefined {
  const value = (key: string): unknown => values.get(key)?.value ?? null;

  const queue = value('otlp.max_queue_size');
  const batch = value('otlp.max_export_batch_size');
  if (typeof queue === 'number' && typeof batch === 'number' && batch > queue) {
    return `otlp.max_export_batch_size must not exceed otlp.max_queue_size: ${describe(values, 'otlp.max_export_batch_size')}, ${describe(values, 'otlp.max_queue_size')}`;
  }

  // Mutual TLS needs both halves; one alone is a mistake, not a preference.
  if ((value('otlp.client_key') === null) !== (value('otlp.client_certificate') === null)) {
    return `otlp.client_key and otlp.client_certificate must be given together: ${describe(values, 'otlp.client_key')}, ${describe(values, 'otlp.client_certificate')}`;
  }

  // Two outputs appending to one file would interleave formats into a file neither reader accepts.
  const files = ['capture.record', 'capture.keylog', 'capture.pcapng'].filter(
    (key) => value(key) !== '' && value(key) !== null,
  );
  for (let i = 0; i < files.length; i++)
    for (let j = i + 1; j < files.length; j++) {
      const [a, b] = [files[i] as string, files[j] as string];
      if (value(a) === value(b))
        return `${a} and ${b} must be different files: ${describe(values, a)}, ${describe(values, b)}`;
    }
  return undefined;
}
