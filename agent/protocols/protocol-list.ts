/** The processor's ordered protocol list for a configuration: parsers first, raw always last (it matches anything). */
import type { PlaintapConfig } from '../config/plaintap-config';
import { Http1Protocol } from './http1/http1-protocol';
import type { Protocol } from './protocol';
import { RawProtocol } from './raw/raw-protocol';

export function createProtocols(config: PlaintapConfig): Protocol[] {
  const raw = new RawProtocol({ truncateBytes: config.output.truncateBytes });
  if (config.processor.raw) return [raw];
  const http1 = new Http1Protocol({
    bodyCaptureBytes: config.http.bodyCaptureBytes,
    exchangeTimeoutMs: config.http.exchangeTimeoutMs,
  });
  return [http1, raw];
}
