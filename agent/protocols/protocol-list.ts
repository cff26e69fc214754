/** The processor's ordered protocol list: parsers first, raw always last (it matches anything). */
import type { Http1Options } from './http1/http1-options';
import { Http1Protocol } from './http1/http1-protocol';
import type { Protocol } from './protocol';
import { RawProtocol, type RawProtocolOptions } from './raw/raw-protocol';

/** What the protocols need from the configuration (config/plaintap-config.ts builds it). */
export interface ProtocolSettings {
  /** Only raw messages, no protocol parsing (`processor.raw`). */
  readonly rawOnly: boolean;
  readonly raw: RawProtocolOptions;
  readonly http1: Http1Options;
}

export function createProtocols(settings: ProtocolSettings): Protocol[] {
  const raw = new RawProtocol(settings.raw);
  if (settings.rawOnly) return [raw];
  return [new Http1Protocol(settings.http1), raw];
}
