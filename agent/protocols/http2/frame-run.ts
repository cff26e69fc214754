/**
 * Recognises HTTP/2 framing in bytes whose start is unknown: a frame header is checked against
 * what RFC 9113 allows for its type (flags, stream id, fixed lengths), and a connection picked up
 * mid-stream is taken for HTTP/2 only from a run of such headers that chain one after another.
 */
import { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_BYTES, FrameType } from './frame-types';

/** Flags each known frame type may carry. */
const ALLOWED_FLAGS = [0x09, 0x2d, 0x00, 0x00, 0x01, 0x0c, 0x01, 0x00, 0x00, 0x04];

/** True when the 9 bytes at `at` are a plausible header of a known frame type no longer than `maxLength`. */
export function plausibleFrameHeader(bytes: Uint8Array, at: number, maxLength = DEFAULT_MAX_FRAME_SIZE): boolean {
  const length = ((bytes[at] as number) << 16) | ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
  const type = bytes[at + 3] as number;
  const flags = bytes[at + 4] as number;
  if (type > FrameType.Continuation || length > maxLength) return false;
  if ((flags & ~(ALLOWED_FLAGS[type] as number)) !== 0) return false;
  if (((bytes[at + 5] as number) & 0x80) !== 0) return false;
  const streamZero =
    (bytes[at + 5] as number) === 0 &&
    (bytes[at + 6] as number) === 0 &&
    (bytes[at + 7] as number) === 0 &&
    (bytes[at + 8] as number) === 0;
  switch (type) {
    case FrameType.Settings:
      return streamZero && length % 6 === 0 && ((flags & 1) === 0 || length === 0);
    case FrameType.Ping:
      return streamZero && length === 8;
    case FrameType.Goaway:
      return streamZero && length >= 8;
    case FrameType.WindowUpdate:
      return length === 4;
    case FrameType.Priority:
      return !streamZero && length === 5;
    case FrameType.RstStream:
      return !streamZero && length === 4;
    default:
      return !streamZero;
  }
}

export const enum RunResult {
  /** A run was found (the offset is returned alongside). */
  Found,
  /** Not yet: the bytes so far are consistent with framing at the start. */
  NeedMore,
  None,
}

/**
 * The first offset in [from, maxOffset] where frame headers chain: from offset 0, one frame
 * ending exactly at the end of the bytes or two chained headers; elsewhere three. `undecided`
 * is the first offset whose run reached the end of the bytes (more bytes may complete it): a
 * later call with more bytes may start there.
 */
export function findFrameRun(
  bytes: Uint8Array,
  from: number,
  maxOffset: number,
): { result: RunResult; offset: number; undecided: number } {
  let undecided = -1;
  const last = Math.min(maxOffset, bytes.length - FRAME_HEADER_BYTES);
  for (let offset = from; offset <= last; offset++) {
    const want = offset === 0 ? 2 : 3;
    let at = offset;
    let headers = 0;
    while (at + FRAME_HEADER_BYTES <= bytes.length && plausibleFrameHeader(bytes, at)) {
      headers++;
      at += FRAME_HEADER_BYTES + frameLength(bytes, at);
      if (headers >= want || (offset === 0 && at === bytes.length))
        return { result: RunResult.Found, offset, undecided };
    }
    // The run reached past the end: more bytes may complete it.
    if (undecided < 0 && at + FRAME_HEADER_BYTES > bytes.length) undecided = offset;
  }
  if (undecided < 0) undecided = Math.max(from, last + 1);
  const needMore = from === 0 && (undecided === 0 || bytes.length < FRAME_HEADER_BYTES);
  return { result: needMore ? RunResult.NeedMore : RunResult.None, offset: -1, undecided };
}

function frameLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 16) | ((bytes[at + 1] as number) << 8) | (bytes[at + 2] as number);
}
