/** The processor's ordered protocol list for a configuration: parsers first, raw always last (it matches anything). */
import type { PlaintapConfig } from '../config/plaintap-config';
import { Http1Protocol } from './http1/http1-protocol';
import { Http2Protocol } from './http2/http2-protocol';
import type { Protocol } from './protocol';
import { RawProtocol } from './raw/raw-protocol';

/** Body bytes the console shows when `http.body_capture` is 0 (bodies not exported). */
export const CONSOLE_BODY_PREVIEW_BYTES = 4096;

export function createProtocols(config: PlaintapConfig): Protocol[] {
  const raw = new RawProtocol({ truncateBytes: config.output.truncateBytes });
  if (config.processor.raw) return [raw];
  const http = {
    // With body_capture 0 only the console shows bodies (a preview); JSON and OTLP get none.
    bodyCaptureBytes:
      config.http.bodyCaptureBytes > 0
        ? config.http.bodyCaptureBytes
        : config.output.format === 'console'
          ? CONSOLE_BODY_PREVIEW_BYTES
          : 0,
    exchangeTimeoutMs: config.http.exchangeTimeoutMs,
  };
  // HTTP/2 first: its preface and frames are never an HTTP/1 start, an HTTP/1 start never a frame run.
  const http2 = new Http2Protocol(http);
  const http1 = new Http1Protocol(http);
  return [http2, http1, raw];
}
