/** --print-config (YAML with each value's source) and the options part of --help. */
import type { EffectiveValue } from './load-config';
import type { OptionSpec } from './option-spec';
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
    lines.push(`  ${name}: ${JSON.stringify(entry.value)}  # ${entry.source}`);
  }
  return lines.join('\n') + '\n';
}

export function renderOptionsHelp(): string {
  return OPTIONS.map(helpLine).join('\n');
}

function helpLine(spec: OptionSpec): string {
  const flag = spec.type === 'boolean' ? `--${spec.flag}` : `--${spec.flag} ${spec.argName ?? 'VALUE'}`;
  const env = spec.env ? ` [env ${spec.env}]` : '';
  const shownDefault =
    Array.isArray(spec.default) && spec.default.length === 0 ? '' : ` (default ${JSON.stringify(spec.default)})`;
  return `  ${flag.padEnd(28)} ${spec.description}${shownDefault}${env}`;
}
