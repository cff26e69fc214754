/**
 * `db.query.text` without its values: string literals ('…', E'…', $$…$$, $tag$…$tag$), numbers
 * (also hex and exponents) and hex/bit strings (X'…', B'…') become `?`, as the semantic
 * conventions recommend. Identifiers (quoted or not), keywords, comments (kept as they are)
 * and placeholders ($1, ?) stay. A scanner, not a parser: one pass, no allocation per token.
 */

function isIdentChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function maskSqlLiterals(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    const code = text.charCodeAt(i);
    // Comments are kept verbatim.
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    // Quoted identifiers stay.
    if (c === '"' || c === '`') {
      const end = text.indexOf(c, i + 1);
      const stop = end < 0 ? n : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    // Prefixed strings: E'…', X'…', B'…', N'…' (a lone letter before the quote).
    if (
      (c === 'E' || c === 'e' || c === 'X' || c === 'x' || c === 'B' || c === 'b' || c === 'N' || c === 'n') &&
      text[i + 1] === "'" &&
      (i === 0 || !isIdentChar(text.charCodeAt(i - 1)))
    ) {
      i = skipQuoted(text, i + 1, c === 'E' || c === 'e');
      out += '?';
      continue;
    }
    if (c === "'") {
      i = skipQuoted(text, i, true);
      out += '?';
      continue;
    }
    // Dollar-quoted strings ($$…$$, $tag$…$tag$); $1 is a parameter.
    if (c === '$' && !isDigit(text.charCodeAt(i + 1))) {
      const tagEnd = text.indexOf('$', i + 1);
      const tag = tagEnd < 0 ? '' : text.slice(i, tagEnd + 1);
      if (tag !== '' && /^\$[A-Za-z_]?\w*\$$/.test(tag)) {
        const close = text.indexOf(tag, tagEnd + 1);
        i = close < 0 ? n : close + tag.length;
        out += '?';
        continue;
      }
    }
    // Identifiers and keywords (they may contain digits) are copied whole.
    if (isIdentChar(code) && !isDigit(code)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    // Numbers: 42, 4.2, .5, 1e-3, 0x1F.
    if (isDigit(code) || (c === '.' && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      if (c === '0' && (text[j] === 'x' || text[j] === 'X')) {
        j++;
        while (j < n && /[0-9a-fA-F]/.test(text[j] as string)) j++;
      } else {
        while (j < n && (isDigit(text.charCodeAt(j)) || text[j] === '.')) j++;
        if (
          (text[j] === 'e' || text[j] === 'E') &&
          (isDigit(text.charCodeAt(j + 1)) ||
            ((text[j + 1] === '-' || text[j + 1] === '+') && isDigit(text.charCodeAt(j + 2))))
        ) {
          j += 2;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
        }
      }
      out += '?';
      i = j;
      continue;
    }
    // A parameter ($1) or anything else: as is.
    if (c === '$') {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Index after the quoted string starting at `start` ('…', with '' and, where allowed, \' inside). */
function skipQuoted(text: string, start: number, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") {
      if (text[i + 1] === "'") {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}
