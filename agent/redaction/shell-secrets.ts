/**
 * Secrets typed on a shell command line, redacted by default: the value of an option whose
 * name says it is a secret (`--password=…`, `--api-token …` is not: only the `=` form is
 * unambiguous), and of a variable assignment whose name says so (`TOKEN=…`, `export
 * DB_PASSWORD=…`, `AWS_SECRET_ACCESS_KEY=…`). Quoted values are replaced whole. Anything else
 * (a password as a positional argument, `-pSECRET`) is not recognised.
 */
import { REDACTED } from './redactor';

/** Name fragments that mark a secret (any case). */
export const SHELL_SECRET_NAMES: readonly string[] = ['password', 'passwd', 'token', 'secret', 'api_key', 'apikey'];

const NAME = SHELL_SECRET_NAMES.join('|');
/** A value: single- or double-quoted, or a run of non-blank characters. */
const VALUE = `(?:'[^']*'?|"(?:[^"\\\\]|\\\\.)*"?|[^\\s;&|]+)`;
const OPTION = new RegExp(`(--?[\\w-]*(?:${NAME})[\\w-]*=)${VALUE}`, 'gi');
const ASSIGNMENT = new RegExp(`(^|[\\s;&|(])([A-Za-z_]\\w*(?:${NAME})\\w*|(?:${NAME})\\w*)=${VALUE}`, 'gi');

export function redactShellLine(line: string): string {
  return line
    .replace(OPTION, (_, prefix: string) => `${prefix}${REDACTED}`)
    .replace(ASSIGNMENT, (_, before: string, name: string) => `${before}${name}=${REDACTED}`);
}
