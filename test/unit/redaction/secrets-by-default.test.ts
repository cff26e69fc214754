/** The secrets redacted by default (issue 16's list), their opt-outs, and secrets inside JSON and form bodies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpBody } from '../../../agent/exchange/http-exchange';
import { redactBody, redactJsonText } from '../../../agent/redaction/redact-body';
import { createRedactor, REDACTED } from '../../../agent/redaction/redactor';
import { httpBody } from '../../support/output-records';

const QUERY_KEYS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'key',
  'code',
  'session',
  'sessionid',
  'auth',
  'signature',
];

function body(text: string, extra: Partial<HttpBody> = {}): HttpBody {
  const preview = new TextEncoder().encode(text);
  return httpBody(preview.length, { preview, ...extra });
}

describe('secrets redacted by default', () => {
  const redactor = createRedactor();

  it('every listed query key, in any case', () => {
    for (const key of QUERY_KEYS) {
      assert.equal(redactor.query(`a=1&${key}=v`), `a=1&${key}=${REDACTED}`, key);
      assert.equal(redactor.query(`${key.toUpperCase()}=v`), `${key.toUpperCase()}=${REDACTED}`, key);
    }
    assert.equal(redactor.query('q=tls&page=2'), 'q=tls&page=2');
  });

  it('the listed headers and any header whose name contains token, secret or password', () => {
    for (const name of [
      'X-Api-Key',
      'api-key',
      'X-Auth-Token',
      'X-CSRF-Token',
      'X-Amz-Security-Token',
      'X-My-Token-Id',
      'Client-Secret',
      'X-Password-Hint',
    ])
      assert.ok(redactor.redactsHeader(name), name);
    for (const name of ['Host', 'Accept', 'X-Request-Id', 'Content-Type'])
      assert.ok(!redactor.redactsHeader(name), name);
  });

  it('opt-outs stay explicit, pattern by pattern', () => {
    const open = createRedactor({
      disableDefaultHeaders: ['*token*', 'x-auth-token'],
      disableDefaultQueryKeys: ['code'],
    });
    assert.ok(!open.redactsHeader('X-Auth-Token'));
    assert.ok(!open.redactsHeader('X-My-Token'));
    assert.ok(open.redactsHeader('X-CSRF-Token'), 'still listed by name');
    assert.equal(open.query('code=abc&token=t'), `code=abc&token=${REDACTED}`);
  });
});

describe('secrets in bodies', () => {
  const redactor = createRedactor();
  const json: [string, string][] = [['Content-Type', 'application/json; charset=utf-8']];

  it('JSON: string and scalar values of secret keys, nested too; other members untouched', () => {
    const out = redactBody(
      body('{"user":"ann","password":"hunter2","nested":{"Token":123,"api_key" : true},"list":[{"code":"x\\"y"}]}'),
      json,
      redactor,
    );
    assert.equal(
      new TextDecoder().decode(out.preview),
      `{"user":"ann","password":"${REDACTED}","nested":{"Token":"${REDACTED}","api_key" : "${REDACTED}"},"list":[{"code":"${REDACTED}"}]}`,
    );
  });

  it('JSON cut short inside a secret value: redacted to the end', () => {
    assert.equal(redactJsonText('{"a":1,"password":"hunt', new Set(['password'])), `{"a":1,"password":"${REDACTED}"`);
  });

  it('JSON: object values and keys that only look alike are left alone', () => {
    const text = '{"password":{"rule":"len>8"},"passwords_seen":3,"note":"password: x"}';
    assert.equal(redactJsonText(text, new Set(['password'])), text);
  });

  it('form bodies; other content types and undecoded codings untouched; same object when nothing changes', () => {
    const form: [string, string][] = [['content-type', 'application/x-www-form-urlencoded']];
    const out = redactBody(body('user=ann&password=hunter2'), form, redactor);
    assert.equal(new TextDecoder().decode(out.preview), `user=ann&password=${REDACTED}`);
    const plain = body('password=hunter2');
    assert.equal(redactBody(plain, [['Content-Type', 'text/plain']], redactor), plain);
    const gz = body('{"password":"x"}', { decoding: 'unsupported' });
    assert.equal(redactBody(gz, json, redactor), gz);
    const clean = body('{"user":"ann"}');
    assert.equal(redactBody(clean, json, redactor), clean);
  });
});
