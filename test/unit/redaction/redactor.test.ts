import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, DEFAULT_REDACTED_HEADERS, REDACTED, type HeaderPair } from '../../../agent/redaction/redactor';

describe('redactor: headers', () => {
  it('redacts the default secret headers in any case and keeps names and order', () => {
    const redactor = createRedactor();
    const headers: HeaderPair[] = [
      ['Host', 'example.com'],
      ['Authorization', 'Bearer abc'],
      ['PROXY-AUTHORIZATION', 'Basic xyz'],
      ['cookie', 'sid=1'],
      ['Set-Cookie', 'sid=2; HttpOnly'],
      ['Accept', '*/*'],
    ];
    assert.deepEqual(redactor.headers(headers), [
      ['Host', 'example.com'],
      ['Authorization', REDACTED],
      ['PROXY-AUTHORIZATION', REDACTED],
      ['cookie', REDACTED],
      ['Set-Cookie', REDACTED],
      ['Accept', '*/*'],
    ]);
    assert.equal(headers[1]?.[1], 'Bearer abc', 'input not modified');
    for (const name of DEFAULT_REDACTED_HEADERS) assert.ok(redactor.redactsHeader(name.toUpperCase()));
  });

  it('returns the same array when nothing is redacted', () => {
    const headers: HeaderPair[] = [
      ['Host', 'a'],
      ['Accept', 'b'],
    ];
    assert.equal(createRedactor().headers(headers), headers);
  });

  it('redacts every occurrence of a repeated header', () => {
    const out = createRedactor().headers([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    assert.deepEqual(out, [
      ['set-cookie', REDACTED],
      ['set-cookie', REDACTED],
    ]);
  });

  it('adds configured header names, case-insensitively', () => {
    const redactor = createRedactor({ headers: ['X-Api-Key'] });
    assert.deepEqual(
      redactor.headers([
        ['x-api-key', 'k'],
        ['X-API-KEY', 'k2'],
      ]),
      [
        ['x-api-key', REDACTED],
        ['X-API-KEY', REDACTED],
      ],
    );
  });

  it('turns a default off only when asked explicitly', () => {
    const redactor = createRedactor({ disableDefaultHeaders: ['cookie'] });
    assert.equal(redactor.redactsHeader('Cookie'), false);
    assert.equal(redactor.redactsHeader('Set-Cookie'), true);
    assert.equal(redactor.redactsHeader('Authorization'), true);
    assert.deepEqual(redactor.headers([['Cookie', 'sid=1']]), [['Cookie', 'sid=1']]);
  });
});

describe('redactor: query strings and targets', () => {
  it('redacts configured keys case-insensitively and keeps the rest byte for byte', () => {
    const redactor = createRedactor({ queryKeys: ['token', 'api_key'] });
    assert.equal(
      redactor.query('a=1&TOKEN=s3cr3t&b=%20x&api_key=k'),
      `a=1&TOKEN=${REDACTED}&b=%20x&api_key=${REDACTED}`,
    );
  });

  it('redacts the semantic-convention signed-URL keys by default', () => {
    const redactor = createRedactor();
    assert.equal(
      redactor.query('X-Goog-Signature=abc&AWSAccessKeyId=id&Signature=s&sig=t&keep=1'),
      `X-Goog-Signature=${REDACTED}&AWSAccessKeyId=${REDACTED}&Signature=${REDACTED}&sig=${REDACTED}&keep=1`,
    );
    assert.equal(createRedactor({ disableDefaultQueryKeys: ['sig'] }).query('sig=t'), 'sig=t');
  });

  it('matches percent-encoded keys and leaves keys without a value alone', () => {
    const redactor = createRedactor({ queryKeys: ['access token'] });
    assert.equal(
      redactor.query('access%20token=x&access+token=y&flag'),
      `access%20token=${REDACTED}&access+token=${REDACTED}&flag`,
    );
    assert.equal(createRedactor({ queryKeys: ['flag'] }).query('flag&flag='), `flag&flag=${REDACTED}`);
  });

  it('redacts inside a request target, keeping path and fragment', () => {
    const redactor = createRedactor({ queryKeys: ['token'] });
    assert.equal(redactor.target('/a/b?token=x&y=1#frag'), `/a/b?token=${REDACTED}&y=1#frag`);
    assert.equal(redactor.target('https://h:8443/p?token=x'), `https://h:8443/p?token=${REDACTED}`);
    assert.equal(redactor.target('/no-query'), '/no-query');
    assert.equal(redactor.target('/p?'), '/p?');
  });

  it('leaves a string unchanged (same value) when nothing matches', () => {
    const text = 'a=1&b=2';
    assert.equal(createRedactor().query(text), text);
  });
});
