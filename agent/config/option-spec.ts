/** How one configuration option is named in each source, typed, defaulted and documented. */

export type OptionType =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'bytes'
  | 'duration'
  | 'enum'
  | 'integer-list'
  | 'string-list';

export type OptionValue = string | boolean | number | readonly number[] | readonly string[] | null;

export interface OptionSpec {
  /** Dotted path in the YAML file and in --print-config, e.g. `output.format`. */
  readonly key: string;
  /** Long command-line flag, without the dashes. */
  readonly flag: string;
  /** Environment variable, when the option has one. */
  readonly env?: string;
  readonly type: OptionType;
  readonly default: OptionValue;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Extra check on a parsed value: returns what is wrong, or undefined. */
  readonly check?: (value: OptionValue) => string | undefined;
  /** Placeholder in --help, e.g. BYTES. */
  readonly argName?: string;
  readonly description: string;
}
