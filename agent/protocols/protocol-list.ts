/** The processor's ordered protocol list: parsers first, raw always last (it matches anything). */
import type { Http1Options } from './http1/http1-options';
import { Http1Protocol } from './http1/http1-protocol';
import type { Http2Options } from './http2/http2-options';
import { Http2Protocol } from './http2/http2-protocol';
import type { Protocol } from './protocol';
import { RawProtocol, type RawProtocolOptions } from './raw/raw-protocol';

/** What the protocols need from the configuration (config/plaintap-config.ts builds it). */
export interface ProtocolSettings {
  /** Only raw messages, no protocol parsing (`processor.raw`). */
  readonly rawOnly: boolean;
  readonly raw: RawProtocolOptions;
  readonly http1: Http1Options;
  readonly http2: Http2Options;
}

export function createProtocols(settings: ProtocolSettings): Protocol[] {
  const raw = new RawProtocol(settings.raw);
  if (settings.rawOnly) return [raw];
  // HTTP/2 first: its preface and frames are never an HTTP/1 start, an HTTP/1 start never a frame run.
  return [new Http2Protocol(settings.http2), new Http1Protocol(settings.http1), raw];
}
