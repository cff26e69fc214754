/**
 * Hands an HTTP/1 or WebSocket record to the processor's sink.
 *
 * The cast exists only until `OutputRecord` (agent/exchange/output-record.ts)
 * lists `HttpExchange` and `WebSocketMessage`; it can go then.
 */
import type { HttpExchange } from '../../exchange/http-exchange';
import type { OutputRecord } from '../../exchange/output-record';
import type { WebSocketMessage } from '../../exchange/websocket-message';
import type { RecordSink } from '../protocol';

export function emitRecord(sink: RecordSink, record: HttpExchange | WebSocketMessage): void {
  sink.emit(record as unknown as OutputRecord);
}
