import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactHeaderLines } from '../../../agent/redaction/redact-header-lines';
import { createRedactor } from '../../../agent/redaction/redactor';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const text = (payload: Uint8Array): string => Buffer.from(payload).toString('latin1');

describe('raw payloads: header-looking lines', () => {
  const redactor = createRedactor({ headers: ['X-Api-Key'] });

  it('redacts the values of redacted header lines, any case, CRLF or LF, and keeps the rest', () => {
    const payload = bytes(
      'POST /login HTTP/1.1\r\nHost: a\r\nauthorization:Bearer abc\r\nCOOKIE: a=1; b=2\r\nX-API-KEY:   k\nAccept: */*\r\n\r\nbody: Authorization: no\r\n',
    );
    assert.equal(
      text(redactHeaderLines(payload, redactor)),
      'POST /login HTTP/1.1\r\nHost: a\r\nauthorization:REDACTED\r\nCOOKIE: REDACTED\r\nX-API-KEY:   REDACTED\nAccept: */*\r\n\r\nbody: Authorization: no\r\n',
    );
  });

  it('redacts query values of the redacted keys in a request line', () => {
    const payload = bytes('GET /file?X-Goog-Signature=abc&a=1 HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.equal(
      text(redactHeaderLines(payload, redactor)),
      'GET /file?X-Goog-Signature=REDACTED&a=1 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
  });

  it('a line at the very start, a value cut by the end of the payload, and a repeated name', () => {
    const payload = bytes('Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nAuthorization: Bea');
    assert.equal(
      text(redactHeaderLines(payload, redactor)),
      'Set-Cookie: REDACTED\r\nSet-Cookie: REDACTED\r\nAuthorization: REDACTED',
    );
  });

  it('returns the same array when nothing matches (binary, or no redacted names)', () => {
    const plain = bytes('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhi');
    assert.equal(redactHeaderLines(plain, redactor), plain);
    const binary = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xff, 0x3a, 0x00]);
    assert.equal(redactHeaderLines(binary, redactor), binary);
  });

  it('keeps every other byte, non-ASCII included', () => {
    const payload = new Uint8Array([0xc3, 0xa9, 0x0a, ...bytes('Cookie: x\n'), 0xff]);
    assert.deepEqual(
      [...redactHeaderLines(payload, redactor)],
      [0xc3, 0xa9, 0x0a, ...bytes('Cookie: REDACTED\n'), 0xff],
    );
  });

  it('an explicitly disabled default stays in the clear', () => {
    const payload = bytes('Cookie: a=1\r\nAuthorization: b\r\n');
    const open = createRedactor({ disableDefaultHeaders: ['cookie'] });
    assert.equal(text(redactHeaderLines(payload, open)), 'Cookie: a=1\r\nAuthorization: REDACTED\r\n');
  });
});
