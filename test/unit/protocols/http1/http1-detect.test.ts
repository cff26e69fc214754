import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import { createHttp1Protocol } from '../../../../agent/protocols/http1/http1-protocol';

const protocol = createHttp1Protocol();
const detect = (text: string): string => protocol.detect(Buffer.from(text, 'latin1'), Direction.Egress);

describe('http1 detect', () => {
  it('matches a request line start with a registered method', () => {
    assert.equal(protocol.name, 'http1');
    for (const method of [
      'GET',
      'POST',
      'HEAD',
      'PUT',
      'DELETE',
      'OPTIONS',
      'PATCH',
      'CONNECT',
      'PROPFIND',
      'M-SEARCH',
    ]) {
      assert.equal(detect(`${method} / HTTP/1.1\r\n`), 'match', method);
      assert.equal(detect(`${method} `), 'match', method);
    }
  });

  it('matches a status line start', () => {
    assert.equal(detect('HTTP/1.1 200 OK\r\n'), 'match');
    assert.equal(detect('HTTP/1.0 404'), 'match');
  });

  it('asks for more while the prefix could still be one', () => {
    for (const prefix of [
      'G',
      'GE',
      'GET',
      'P',
      'PO',
      'PROPFI',
      'H',
      'HE',
      'HTTP',
      'HTTP/1.',
      'HTTP/1.1',
      'HTTP/1.1 ',
    ]) {
      assert.equal(detect(prefix), 'need-more', prefix);
    }
  });

  it('refuses anything else', () => {
    for (const other of [
      'GET/ HTTP/1.1',
      'get / HTTP/1.1',
      'FOO / HTTP/1.1',
      'HTTP/2 200',
      'HTTP/1.1 x00',
      'PRI * HTTP/2.0\r\n',
      '\x16\x03\x01',
      'SSH-2.0',
    ]) {
      assert.equal(detect(other), 'no-match', JSON.stringify(other));
    }
  });

  it('finds a message start at a later line (a connection picked up mid-stream)', () => {
    assert.equal(detect('end of an earlier body</html>\r\nGET /next HTTP/1.1\r\n'), 'match');
    assert.equal(detect('\x00\x01binary tail\nHTTP/1.1 200 OK\r\n'), 'match');
    assert.equal(detect('tail of a body\r\nPO'), 'need-more');
    assert.equal(detect('\r\nGET / HTTP/1.1'), 'match');
    assert.equal(detect('line one\r\nline two\r\n'), 'no-match');
  });

  it('does not depend on the direction', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\n');
    assert.equal(protocol.detect(bytes, Direction.Ingress), protocol.detect(bytes, Direction.Egress));
  });
});
