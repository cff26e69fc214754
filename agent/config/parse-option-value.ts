/** Turns a raw value (flag or env text, or a YAML scalar/list) into an option's typed value. */
import { parseKeyValueList } from '../key-value-list';
import type { KeyValues, OptionSpec, OptionValue } from './option-spec';

export class OptionValueError extends Error {}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
};
const DURATION_UNITS_MS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseOptionValue(spec: OptionSpec, raw: unknown): OptionValue {
  // `key: null` (or `key:`) in YAML leaves an option whose default is "not set" unset.
  if (raw === null && spec.default === null) return null;
  const value = convert(spec, raw);
  checkRange(spec, value);
  const problem = spec.check?.(value);
  if (problem !== undefined) throw new OptionValueError(problem);
  return value;
}

function convert(spec: OptionSpec, raw: unknown): OptionValue {
  switch (spec.type) {
    case 'string':
      return scalarText(raw);
    case 'boolean':
      return parseBoolean(raw);
    case 'integer':
      return parseInteger(raw);
    case 'bytes':
      return parseWithUnit(raw, BYTE_UNITS, 'a byte size like 65536, 64KiB or 16MiB');
    case 'duration':
      return parseWithUnit(raw, DURATION_UNITS_MS, 'a duration like 500ms, 1s or 30s');
    case 'enum': {
      const text = scalarText(raw);
      if (!spec.choices?.includes(text))
        throw new OptionValueError(`expected one of ${spec.choices?.join(', ')}, got "${text}"`);
      return text;
    }
    case 'integer-list':
      return listItems(raw).map(parseInteger);
    case 'string-list':
      return listItems(raw).map(scalarText);
    case 'key-values':
      return parseKeyValues(raw);
  }
}

/**
 * A mapping from a YAML mapping, or from `k1=v1,k2=v2` text (one flag each, or an env variable)
 * with percent-encoded values: the format of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS.
 */
export function parseKeyValues(raw: unknown): KeyValues {
  const out: Record<string, string> = {};
  if (raw === null || raw === undefined) return out;
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      if (key.trim() === '') throw new OptionValueError('a key is empty');
      out[key.trim()] = scalarText(value);
    }
    return out;
  }
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    const entries = parseKeyValueList(scalarText(item), ({ entry, reason }) => {
      if (reason === 'no-key') throw new OptionValueError(`expected key=value, got "${entry}"`);
      throw new OptionValueError(`"${entry.slice(entry.indexOf('=') + 1).trim()}" is not valid percent-encoding`);
    });
    for (const [key, value] of entries) out[key] = value;
  }
  return out;
}

function scalarText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new OptionValueError(`expected a single value, got ${describe(raw)}`);
}

function parseBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = scalarText(raw).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new OptionValueError(`expected true or false, got "${text}"`);
}

function parseInteger(raw: unknown): number {
  const text = scalarText(raw).trim();
  if (!/^-?\d+$/.test(text)) throw new OptionValueError(`expected an integer, got "${text}"`);
  return Number(text);
}

function parseWithUnit(raw: unknown, units: Readonly<Record<string, number>>, expected: string): number {
  const text = scalarText(raw).trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(text);
  const factor = match ? units[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) throw new OptionValueError(`expected ${expected}, got "${text}"`);
  return Math.round(Number(match[1]) * factor);
}

/** Lists come as YAML sequences, repeated flags, or comma-separated text (env). */
function listItems(raw: unknown): unknown[] {
  if (Array.isArray(raw))
    return (raw as unknown[]).flatMap((item) => (typeof item === 'string' ? splitCommas(item) : [item]));
  if (typeof raw === 'string') return splitCommas(raw);
  if (typeof raw === 'number') return [raw];
  if (raw === null || raw === undefined) return [];
  throw new OptionValueError(`expected a list, got ${describe(raw)}`);
}

function splitCommas(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function checkRange(spec: OptionSpec, value: OptionValue): void {
  const numbers =
    typeof value === 'number'
      ? [value]
      : Array.isArray(value) && spec.type === 'integer-list'
        ? (value as number[])
        : [];
  for (const n of numbers) {
    if (spec.min !== undefined && n < spec.min) throw new OptionValueError(`must be at least ${spec.min}, got ${n}`);
    if (spec.max !== undefined && n > spec.max) throw new OptionValueError(`must be at most ${spec.max}, got ${n}`);
  }
}

function describe(raw: unknown): string {
  return Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw === 'object' ? 'a mapping' : typeof raw;
}
