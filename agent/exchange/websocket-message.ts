/**
 * One WebSocket data message (text or binary, all of its fragments), seen on
 * a connection after an HTTP/1 `101 Switching Protocols` with `Upgrade: websocket`.
 */
import type { ConnectionFacts, Direction } from '../capture/captured-event';

export interface WebSocketMessage {
  readonly kind: 'websocket.message';
  readonly connection: ConnectionFacts;
  /** 'client' when the captured process sent the upgrade request, 'server' when it accepted it. */
  readonly side: 'client' | 'server';
  /** Egress: the captured process sent the message; Ingress: it received it. */
  readonly direction: Direction;
  /** Which end of the WebSocket sent the message. */
  readonly sender: 'client' | 'server';
  readonly type: 'text' | 'binary';
  /** The first payload bytes, unmasked (and inflated when permessage-deflate could be undone), at most the cap. */
  readonly payload: Uint8Array;
  /** Payload bytes on the wire, summed over the message's frames. */
  readonly length: number;
  /** True when `payload` is not the whole message. */
  readonly truncated: boolean;
  /** Frames the message came in (1 = unfragmented). */
  readonly frames: number;
  /** True when the frames carried a masking key (client to server). */
  readonly masked: boolean;
  /** RSV1 set (permessage-deflate). */
  readonly compressed: boolean;
  /** True when `payload` was inflated; false for an uncompressed message or one that could not be inflated. */
  readonly inflated: boolean;
  /** False when the connection closed or capture lost bytes before the final fragment. */
  readonly complete: boolean;
  /** Request target of the upgrade request (`/chat`); empty when unknown. */
  readonly target: string;
  /** Wall-clock nanoseconds of the first byte of the first frame. */
  readonly timestampNs: bigint;
  /** Wall-clock nanoseconds of the last byte of the last frame. */
  readonly endNs: bigint;
  /** Thread whose TLS call carried the first frame. */
  readonly tid: number;
}
