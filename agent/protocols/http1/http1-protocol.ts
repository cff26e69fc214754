/**
 * HTTP/1.x as a protocol of the processor's ordered list: detection from a
 * connection's first bytes, and a parser per connection.
 */
import type { ConnectionFacts, Direction } from '../../capture/captured-event';
import type { Detection, Protocol, ProtocolParser, RecordSink } from '../protocol';
import { Http1Connection } from './http1-connection';
import { resolveHttp1Options, type Http1Options, type ResolvedHttp1Options } from './http1-options';
import type { Http1Stats } from './http1-stats';
import { Expect, StartMatch, findMessageStart, matchMessageStart } from './message-start';

export class Http1Protocol implements Protocol {
  readonly name = 'http1';
  readonly options: ResolvedHttp1Options;

  constructor(options: Http1Options = {}) {
    this.options = resolveHttp1Options(options);
  }

  /** Counters shared by every connection of this protocol. */
  get stats(): Http1Stats {
    return this.options.stats;
  }

  /**
   * 'match' for a request line start (registered method + SP) or a status
   * line start (`HTTP/1.x d`), 'need-more' while the bytes could still
   * become one, else 'no-match'. Either direction may carry either.
   *
   * Such a start at any line start of the bytes counts too: a connection
   * picked up mid-message (agent started late) is still HTTP/1, and its
   * parser skips to that start.
   */
  detect(bytes: Uint8Array, _direction: Direction): Detection {
    switch (findMessageStart(bytes, Expect.Any)) {
      case StartMatch.Yes:
        return 'match';
      case StartMatch.NeedMore:
        return 'need-more';
      default:
        return 'no-match';
    }
  }

  /** A request line (registered method + SP) or a status line (`HTTP/1.x d`) right at the chunk's start. */
  resume(bytes: Uint8Array, _direction: Direction): boolean {
    return matchMessageStart(bytes, 0, bytes.length, Expect.Any, true) === StartMatch.Yes;
  }

  create(connection: ConnectionFacts, sink: RecordSink): ProtocolParser & { nextDeadlineNs(): bigint | undefined } {
    return new Http1Connection(connection, sink, this.options);
  }
}

export function createHttp1Protocol(options: Http1Options = {}): Http1Protocol {
  return new Http1Protocol(options);
}
