/** HTTP/2 frame types, flags, settings and error codes (RFC 9113 §6, §7). */

// Plain objects, not enums: frame fields are numbers off the wire, compared as such.
export const FrameType = {
  Data: 0x0,
  Headers: 0x1,
  Priority: 0x2,
  RstStream: 0x3,
  Settings: 0x4,
  PushPromise: 0x5,
  Ping: 0x6,
  Goaway: 0x7,
  WindowUpdate: 0x8,
  Continuation: 0x9,
} as const;

export const Flag = {
  EndStream: 0x1,
  Ack: 0x1,
  EndHeaders: 0x4,
  Padded: 0x8,
  Priority: 0x20,
} as const;

export const SettingsId = {
  HeaderTableSize: 0x1,
  MaxFrameSize: 0x5,
} as const;

/** Bytes of a frame header. */
export const FRAME_HEADER_BYTES = 9;
/** SETTINGS_MAX_FRAME_SIZE's initial value. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
/** The client connection preface (RFC 9113 §3.4). */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** An RST_STREAM / GOAWAY error code by its RFC name (`0x1f` style for unknown codes). */
export function errorCodeName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}
