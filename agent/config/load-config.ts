/**
 * The effective configuration: flags > env > file > defaults, every value
 * validated, every error naming the key, the source and what is wrong.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { checkCombinations } from './check-combinations';
import { envNames, type EffectiveValue, type OptionSpec, type ValueSource } from './option-spec';
import { OPTIONS } from './options';
import { OptionValueError, parseOptionValue } from './parse-option-value';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  /** Option key → value and where it came from. */
  readonly values: ReadonlyMap<string, EffectiveValue>;
  readonly configFile: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly printConfig: boolean;
  readonly positionals: readonly string[];
}

export interface ConfigInputs {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (file: string) => string;
}

export function loadConfig(inputs: ConfigInputs): LoadedConfig {
  const flags = parseFlags(inputs.argv);
  const configFile = (flags.values['config'] as string | undefined) ?? nonEmpty(inputs.env['PLAINTAP_CONFIG']);
  const fileValues =
    configFile === undefined ? new Map<string, unknown>() : readConfigFile(configFile, inputs.readFile);

  const values = new Map<string, EffectiveValue>();
  for (const spec of OPTIONS) {
    const flagValue = flags.values[spec.flag];
    const fromEnv = envValue(spec, inputs.env);
    if (flagValue !== undefined) values.set(spec.key, parsed(spec, flagValue, 'flag', `--${spec.flag}`));
    else if (fromEnv !== undefined) values.set(spec.key, fromEnv);
    else if (fileValues.has(spec.key))
      values.set(spec.key, parsed(spec, fileValues.get(spec.key), 'file', configFile ?? ''));
    else values.set(spec.key, { value: spec.default, source: 'default' });
  }
  const problem = checkCombinations(values);
  if (problem !== undefined) throw new ConfigError(problem);
  return {
    values,
    configFile,
    help: flags.values['help'] === true,
    version: flags.values['version'] === true,
    printConfig: flags.values['print-config'] === true,
    positionals: flags.positionals,
  };
}

/**
 * The first of the option's variables that is set; for key-values options every one set,
 * merged so that the earlier (more specific) variable wins per key.
 */
function envValue(spec: OptionSpec, env: ConfigInputs['env']): EffectiveValue | undefined {
  const present = envNames(spec).filter((name) => nonEmpty(env[name]) !== undefined);
  if (present.length === 0) return undefined;
  if (spec.type !== 'key-values') return parsed(spec, env[present[0] ?? ''], 'env', present[0] ?? '');
  let merged: Record<string, string> = {};
  for (const name of present)
    merged = { ...(parsed(spec, env[name], 'env', name).value as Record<string, string>), ...merged };
  return { value: merged, source: 'env', origin: present.join(' + ') };
}

function parsed(spec: OptionSpec, raw: unknown, source: ValueSource, where: string): EffectiveValue {
  try {
    return { value: parseOptionValue(spec, raw), source, origin: where };
  } catch (error) {
    if (error instanceof OptionValueError) throw new ConfigError(`${spec.key} (from ${where}): ${error.message}`);
    throw error;
  }
}

function parseFlags(argv: readonly string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
    'print-config': { type: 'boolean' },
  };
  for (const spec of OPTIONS) {
    const list = spec.type === 'integer-list' || spec.type === 'string-list' || spec.type === 'key-values';
    options[spec.flag] =
      spec.type === 'boolean' ? { type: 'boolean' } : { type: 'string', ...(list ? { multiple: true } : {}) };
  }
  try {
    const result = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: result.values, positionals: result.positionals };
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message.replace(/\. To specify a positional.*$/s, '')} (see plaintap --help)`,
    );
  }
}

/** The file's keys, flattened to dotted paths; unknown keys are errors (a typo must not be ignored). */
function readConfigFile(file: string, readFile = (f: string) => fs.readFileSync(f, 'utf8')): Map<string, unknown> {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    // Loaded only for a config file: most runs have none, and the parser is 70 modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
    const YAML = require('yaml') as typeof import('yaml');
    document = YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  const flat = new Map<string, unknown>();
  if (document === null || document === undefined) return flat;
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`config file ${file}: expected a mapping of sections (${sectionNames().join(', ')})`);
  }
  const known = new Set(OPTIONS.map((spec) => spec.key));
  flatten(document as Record<string, unknown>, '', flat, known);
  for (const key of flat.keys()) {
    if (!known.has(key)) throw new ConfigError(`config file ${file}: unknown key ${key}`);
  }
  return flat;
}

/** Dotted keys down to the options; a mapping that is an option's value (key-values) stays whole. */
function flatten(
  node: Record<string, unknown>,
  prefix: string,
  into: Map<string, unknown>,
  known: ReadonlySet<string>,
): void {
  for (const [name, value] of Object.entries(node)) {
    const key = prefix + name;
    const section = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (section && !known.has(key)) flatten(value as Record<string, unknown>, `${key}.`, into, known);
    else into.set(key, value);
  }
}

function sectionNames(): string[] {
  return [...new Set(OPTIONS.map((spec) => spec.key.split('.')[0] ?? ''))];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
