/**
 * Detection that recovers: a connection whose first bytes matched no protocol (the agent started
 * while a response was half sent) is given to the raw fallback, and to HTTP/1 again at the first
 * chunk that starts a message; counted in the processor's redetections.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../agent/capture/captured-event';
import type { HttpExchange } from '../../../agent/exchange/http-exchange';
import { Processor } from '../../../agent/processor/processor';
import { createProtocols } from '../../../agent/protocols/protocol-list';
import { RecordingSink, data } from '../../support/captured-events';

function setup() {
  const sink = new RecordingSink();
  const protocols = createProtocols({ rawOnly: false, raw: {}, http1: {}, http2: {} });
  const processor = new Processor({ sink, protocols, clock: () => 1_700_000_000_000_000_000n });
  return { sink, processor };
}

describe('protocol redetection', () => {
  it('gives a connection picked up mid-response to HTTP/1 at its next request', () => {
    const { sink, processor } = setup();
    processor.handleBatch([
      // The tail of a response body: no message start anywhere.
      data('ody of a response the agent saw only the end of', { direction: Direction.Ingress }),
      data('GET /two HTTP/1.1\r\nHost: h\r\n\r\n', { direction: Direction.Egress }),
      data('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo', { direction: Direction.Ingress }),
      data('GET /three HTTP/1.1\r\nHost: h\r\n\r\n', { direction: Direction.Egress }),
      data('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree', { direction: Direction.Ingress }),
    ]);
    const exchanges = sink.records.filter((r): r is HttpExchange => r.kind === 'http1.exchange');
    assert.deepEqual(
      exchanges.map((x) => [x.request?.target, x.response?.statusCode, x.complete]),
      [
        ['/two', 200, true],
        ['/three', 200, true],
      ],
    );
    // The bytes before the request are reported raw, once.
    assert.equal(sink.records.filter((r) => r.kind === 'raw').length, 1);
    const stats = processor.stats();
    assert.deepEqual(stats.redetections, { http1: 1 });
  });

  it('does not take a message start inside a chunk, nor one right after a gap', () => {
    const { sink, processor } = setup();
    processor.handleBatch([
      data('binary protocol bytes', { direction: Direction.Egress }),
      data('xx\r\nGET /inside HTTP/1.1\r\n\r\n', { direction: Direction.Egress }),
    ]);
    assert.equal(sink.records.filter((r) => r.kind === 'http1.exchange').length, 0);
    assert.deepEqual(processor.stats().redetections, {});
  });
});
