/**
 * A hex dump in the format of Go's `hex.Dump` (familiar from Go-based capture tools):
 *
 *   00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|
 *
 * offset, 16 bytes in two groups of 8, the printable ASCII between bars.
 * Each line ends with '\n'; empty input gives ''.
 */
const HEX = '0123456789abcdef';

export function hexDump(bytes: Uint8Array): string {
  let out = '';
  for (let lineStart = 0; lineStart < bytes.length; lineStart += 16) {
    const lineEnd = Math.min(lineStart + 16, bytes.length);
    // Go prints the offset as 32 bits.
    let line = (lineStart >>> 0).toString(16).padStart(8, '0') + '  ';
    let ascii = '';
    for (let i = lineStart; i < lineStart + 16; i++) {
      const column = i - lineStart;
      if (i < lineEnd) {
        const byte = bytes[i] as number;
        line += HEX[byte >> 4]! + HEX[byte & 15]! + ' ';
        ascii += byte < 32 || byte > 126 ? '.' : String.fromCharCode(byte);
      } else {
        line += '   ';
      }
      if (column === 7) line += ' ';
    }
    out += line + ' |' + ascii + '|\n';
  }
  return out;
}
