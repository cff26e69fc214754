/** Counters of the WebSocket parser (part of `Http1Stats`: WebSocket is reached through HTTP/1 upgrades). */
export class WebSocketStats {
  /** Text and binary messages emitted. */
  messages = 0;
  frames = 0;
  /** Ping, pong and close frames (parsed, not emitted). */
  controlFrames = 0;
  /** Frames that broke the protocol (reserved opcode, oversized control frame…): the direction stops. */
  protocolErrors = 0;
  /** Directions that lost framing to a capture gap and stopped. */
  desyncs = 0;
  /** Compressed messages that could not be inflated (context takeover, corrupt, over the limits). */
  inflateFailures = 0;
}
