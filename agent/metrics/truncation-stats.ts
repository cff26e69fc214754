/**
 * Counts records that lost bytes, by why (feeds `plaintap_truncations_total`): a raw message or
 * WebSocket message cut by its size cap (`message_cap`), or a raw message or HTTP exchange with
 * bytes lost in capture (`capture_gap`). An HTTP body preview shorter than the body is the normal case, not counted.
 */
import type { HttpExchange } from '../exchange/http-exchange';
import type { Http2Exchange } from '../exchange/http2-exchange';
import type { OutputRecord, RawMessage } from '../exchange/output-record';
import type { WebSocketMessage } from '../exchange/websocket-message';
import type { CountsBy } from './metrics-sources';

type Observed = OutputRecord | HttpExchange | WebSocketMessage | { readonly kind: string };

export class TruncationStats {
  private messageCap = 0;
  private captureGap = 0;

  observe(record: Observed): void {
    switch (record.kind) {
      case 'raw': {
        const raw = record as RawMessage;
        if (!raw.truncated) return;
        // Kept fewer bytes than seen: the cap cut it; else bytes were lost before user space.
        if (raw.payload.length < raw.length) this.messageCap++;
        else this.captureGap++;
        return;
      }
      case 'websocket.message': {
        if ((record as WebSocketMessage).truncated) this.messageCap++;
        return;
      }
      case 'http1.exchange':
      case 'http2.exchange': {
        const exchange = record as HttpExchange | Http2Exchange;
        const lost = (exchange.request?.body.lostBytes ?? 0) + (exchange.response?.body.lostBytes ?? 0);
        if (lost > 0 || exchange.incompleteReason === 'capture-gap') this.captureGap++;
        return;
      }
      default:
        return;
    }
  }

  snapshot(): CountsBy {
    return { message_cap: this.messageCap, capture_gap: this.captureGap };
  }
}
