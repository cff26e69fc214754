/**
 * `db.operation.name` from a statement's text: its first keyword, upper case, after comments
 * and parentheses (`(SELECT …)`). For `WITH … SELECT` the name stays `WITH`: finding the main
 * statement would need a parser.
 */
const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;
const KEYWORD = /^[A-Za-z]+/;

export function sqlOperationName(text: string): string {
  const rest = text.replace(LEADING_NOISE, '');
  const match = KEYWORD.exec(rest);
  return match ? match[0].toUpperCase() : '';
}
