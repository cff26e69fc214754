/** Detection: the client preface, the server's first SETTINGS, a mid-stream run of frames; never HTTP/1 or TLS-looking text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import { Http2Protocol } from '../../../../agent/protocols/http2/http2-protocol';
import { loadFixture2 } from './harness';

const protocol = new Http2Protocol();
const detect = (bytes: Uint8Array): string => protocol.detect(bytes, Direction.Egress);

describe('http2 detection', () => {
  it('the client preface, and a prefix of it waits', () => {
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
    assert.equal(detect(preface), 'match');
    assert.equal(detect(preface.subarray(0, 10)), 'need-more');
  });

  it("the server's first frame: SETTINGS on stream 0", () => {
    const settings = Buffer.from('000006040000000000000300000064', 'hex');
    assert.equal(detect(settings), 'match');
    // A SETTINGS ACK is no first frame, but a whole valid frame filling the bytes is a run of one.
    assert.equal(detect(Buffer.from('000000040100000000', 'hex')), 'match');
    // A frame header with a length over 16 KiB is none.
    assert.equal(detect(Buffer.from('ff0000040000000000', 'hex')), 'no-match');
  });

  it('a connection picked up mid-stream: a run of chained frame headers, also after junk', () => {
    for (const name of ['grpcio-calls', 'nghttp-nginx', 'curl-nginx-gzip']) {
      const [, second] = loadFixture2(name);
      assert.ok(second !== undefined);
      // The server's bytes (its first step starts with its SETTINGS); from a later frame boundary too.
      assert.equal(detect(second.bytes), 'match', name);
    }
    const response = (loadFixture2('nghttp-nginx')[1] as { bytes: Uint8Array }).bytes;
    // Skip the first frame: the rest starts at a boundary that is not SETTINGS.
    const firstLength = ((response[0] as number) << 16) | ((response[1] as number) << 8) | (response[2] as number);
    const later = response.subarray(9 + firstLength);
    assert.equal(detect(later), 'match');
    // Three bytes of junk before the boundary.
    assert.equal(detect(Buffer.concat([Buffer.from([1, 2, 3]), later])), 'match');
  });

  it('never HTTP/1, text or short non-frame bytes', () => {
    assert.equal(detect(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1')), 'no-match');
    assert.equal(detect(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'latin1')), 'no-match');
    assert.equal(detect(Buffer.from('hello world, this is a line of text\n', 'latin1')), 'no-match');
    assert.equal(detect(Buffer.from('GET', 'latin1')), 'no-match');
  });
});
