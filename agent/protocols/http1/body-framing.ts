/**
 * Where a message body ends (RFC 9112 §6.3): from the message's own framing,
 * never from silence.
 */
import type { Http1ParseError } from './http1-stats';
import type { MessageHead } from './message-head';

export const enum Framing {
  /** No body: the message ends with its head. */
  None = 0,
  /** Content-Length bytes follow. */
  Length = 1,
  Chunked = 2,
  /** The body runs until the connection closes (responses only). */
  UntilClose = 3,
  /** No body, and the bytes after the head belong to another protocol (101, CONNECT 2xx). */
  Switch = 4,
  /**
   * The length cannot be determined (a request with a non-chunked Transfer-Encoding), or the head
   * names two framings (Transfer-Encoding and Content-Length: a smuggling shape strict servers refuse).
   */
  Invalid = 5,
}

/** Why a head was framed Invalid. */
export function invalidFramingReason(head: MessageHead): Http1ParseError {
  return head.hasTransferEncoding && head.contentLength >= 0
    ? 'transfer-encoding-with-content-length'
    : 'invalid-transfer-encoding';
}

export function requestFraming(head: MessageHead): Framing {
  if (head.hasTransferEncoding) return head.chunked && head.contentLength < 0 ? Framing.Chunked : Framing.Invalid;
  return head.contentLength > 0 ? Framing.Length : Framing.None;
}

/** `requestMethod` is undefined when the request was not seen. */
export function responseFraming(head: MessageHead, requestMethod: string | undefined): Framing {
  const status = head.statusCode;
  if (status === 101) return Framing.Switch;
  if (requestMethod === 'CONNECT' && status >= 200 && status < 300) return Framing.Switch;
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) return Framing.None;
  if (head.hasTransferEncoding) {
    if (head.contentLength >= 0) return Framing.Invalid;
    return head.chunked ? Framing.Chunked : Framing.UntilClose;
  }
  if (head.contentLength >= 0) return head.contentLength > 0 ? Framing.Length : Framing.None;
  return Framing.UntilClose;
}
