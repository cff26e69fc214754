/** --print-config (YAML with each value's source) and the options part of --help. */
import type { EffectiveValue } from './option-spec';
import { envNames, type KeyValues, type OptionSpec, type OptionValue } from './option-spec';
import { OPTIONS } from './options';

export function renderEffectiveConfig(values: ReadonlyMap<string, EffectiveValue>): string {
  const lines: string[] = [];
  let section = '';
  for (const spec of OPTIONS) {
    const [head, name] = spec.key.split('.') as [string, string];
    if (head !== section) {
      lines.push(`${head}:`);
      section = head;
    }
    const entry = values.get(spec.key);
    if (entry === undefined) continue;
    const origin = entry.origin === undefined ? '' : ` ${entry.origin}`;
    lines.push(`  ${name}: ${JSON.stringify(shown(spec, entry.value))}  # ${entry.source}${origin}`);
  }
  return lines.join('\n') + '\n';
}

/** Secret values (OTLP headers carry API keys) are shown by key only. */
function shown(spec: OptionSpec, value: OptionValue): OptionValue {
  if (!spec.secret || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value as KeyValues).map((key) => [key, 'REDACTED']));
}

export function renderOptionsHelp(): string {
  return OPTIONS.map(helpLine).join('\n');
}

function helpLine(spec: OptionSpec): string {
  const flag = spec.type === 'boolean' ? `--${spec.flag}` : `--${spec.flag} ${spec.argName ?? 'VALUE'}`;
  const names = envNames(spec);
  const env = names.length > 0 ? ` [env ${names.join(', ')}]` : '';
  const unset =
    spec.default === null ||
    (Array.isArray(spec.default) && spec.default.length === 0) ||
    (typeof spec.default === 'object' && Object.keys(spec.default).length === 0);
  const shownDefault = unset ? '' : ` (default ${JSON.stringify(spec.default)})`;
  return `  ${flag.padEnd(28)} ${spec.description}${shownDefault}${env}`;
}
