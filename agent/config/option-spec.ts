/** How one configuration option is named in each source, typed, defaulted and documented. */

export type OptionType =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'bytes'
  | 'duration'
  | 'enum'
  | 'integer-list'
  | 'string-list'
  /** `k1=v1,k2=v2` (values percent-encoded, the OTEL_* format) or a YAML mapping. */
  | 'key-values';

export type KeyValues = Readonly<Record<string, string>>;

/** `null` is "not set" (only for options whose default is null). */
export type OptionValue = string | boolean | number | readonly number[] | readonly string[] | KeyValues | null;

/** Where an option's effective value came from: flags > env > file > defaults. */
export type ValueSource = 'default' | 'file' | 'env' | 'flag';

export interface EffectiveValue {
  readonly value: OptionValue;
  readonly source: ValueSource;
  /** The flag, variable(s) or file the value came from; absent for defaults. */
  readonly origin?: string;
}

export interface OptionSpec {
  /** Dotted path in the YAML file and in --print-config, e.g. `output.format`. */
  readonly key: string;
  /** Long command-line flag, without the dashes. */
  readonly flag: string;
  /**
   * Environment variables, when the option has any. With several, the first one set wins
   * (e.g. OTEL_EXPORTER_OTLP_LOGS_ENDPOINT before OTEL_EXPORTER_OTLP_ENDPOINT); for
   * `key-values` options every one set contributes, the earlier winning per key.
   */
  readonly env?: string | readonly string[];
  readonly type: OptionType;
  readonly default: OptionValue;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Extra check on a parsed value: returns what is wrong, or undefined. */
  readonly check?: (value: OptionValue) => string | undefined;
  /** Placeholder in --help, e.g. BYTES. */
  readonly argName?: string;
  /** Values are credentials (e.g. OTLP headers): --print-config shows only the keys. */
  readonly secret?: boolean;
  readonly description: string;
}

/** The option's environment variables, in precedence order. */
export function envNames(spec: OptionSpec): readonly string[] {
  if (spec.env === undefined) return [];
  return typeof spec.env === 'string' ? [spec.env] : spec.env;
}
