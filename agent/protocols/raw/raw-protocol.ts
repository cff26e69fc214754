/** The fallback protocol: accepts every connection and reports its bytes as RawMessages. */
import type { ConnectionFacts } from '../../capture/captured-event';
import type { Detection, Protocol, ProtocolParser, RecordSink } from '../protocol';
import { RawParser } from './raw-parser';

export const DEFAULT_RAW_TRUNCATE_BYTES = 65536;

export interface RawProtocolOptions {
  /** Most payload bytes kept per message (the rest is counted in `length`); 0 = unlimited. Default 65536. */
  readonly truncateBytes?: number;
}

export class RawProtocol implements Protocol {
  readonly name = 'raw';
  private readonly truncateBytes: number;

  constructor(options: RawProtocolOptions = {}) {
    const truncateBytes = options.truncateBytes ?? DEFAULT_RAW_TRUNCATE_BYTES;
    if (!Number.isSafeInteger(truncateBytes) || truncateBytes < 0) {
      throw new RangeError(`raw protocol: truncateBytes must be an integer >= 0, got ${truncateBytes}`);
    }
    this.truncateBytes = truncateBytes;
  }

  /** Raw is the last resort: it matches anything. */
  detect(): Detection {
    return 'match';
  }

  create(connection: ConnectionFacts, sink: RecordSink): ProtocolParser {
    return new RawParser(connection, sink, this.truncateBytes);
  }
}
