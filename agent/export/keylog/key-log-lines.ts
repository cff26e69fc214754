/**
 * The NSS key log lines (the format Wireshark and tshark read) of one session's secrets:
 * CLIENT_RANDOM for TLS ≤ 1.2; for TLS 1.3 the handshake traffic secrets, derived here from the
 * handshake secret and the transcript hash the library kept (RFC 8446 7.1), the first
 * application traffic secrets and the exporter secret, as the library holds them.
 */
import { createHmac } from 'node:crypto';
import type { TlsSecretEvent } from '../../capture/captured-event';

export const TLS1_3_VERSION = 0x0304;

export type KeyLogLabel =
  | 'CLIENT_RANDOM'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EXPORTER_SECRET';

export interface KeyLogLine {
  readonly label: KeyLogLabel;
  /** The client random in hex: the key Wireshark finds the session by. */
  readonly clientRandom: string;
  readonly secret: string;
}

/** The hash of a TLS 1.3 cipher suite (the low 16 bits of the library's cipher id). */
function tls13Hash(cipherId: number): { name: string; length: number } | undefined {
  switch (cipherId & 0xffff) {
    case 0x1301: // TLS_AES_128_GCM_SHA256
    case 0x1303: // TLS_CHACHA20_POLY1305_SHA256
    case 0x1304: // TLS_AES_128_CCM_SHA256
    case 0x1305: // TLS_AES_128_CCM_8_SHA256
      return { name: 'sha256', length: 32 };
    case 0x1302: // TLS_AES_256_GCM_SHA384
      return { name: 'sha384', length: 48 };
    default:
      return undefined;
  }
}

/** HKDF-Expand-Label (RFC 8446 7.1) for outputs of at most one hash block, as every secret here is. */
export function hkdfExpandLabel(
  hash: string,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
    Buffer.from([1]), // T(1): the first block of HKDF-Expand
  ]);
  return createHmac(hash, secret).update(info).digest().subarray(0, length);
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);
const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The lines of one session; empty when nothing usable was read (unknown suite, zero secrets). */
export function keyLogLines(event: TlsSecretEvent): KeyLogLine[] {
  const clientRandom = hex(event.clientRandom);
  if (isZero(event.clientRandom)) return [];
  if (event.version !== TLS1_3_VERSION) {
    if (event.masterKey.length === 0 || isZero(event.masterKey)) return [];
    return [{ label: 'CLIENT_RANDOM', clientRandom, secret: hex(event.masterKey) }];
  }
  const hash = tls13Hash(event.cipherId);
  if (!hash) return [];
  const take = (bytes: Uint8Array): Uint8Array => bytes.subarray(0, hash.length);
  const lines: KeyLogLine[] = [];
  const add = (label: KeyLogLabel, secret: Uint8Array): void => {
    if (!isZero(secret)) lines.push({ label, clientRandom, secret: hex(secret) });
  };
  const handshakeSecret = take(event.handshakeSecret);
  if (!isZero(handshakeSecret)) {
    const transcript = take(event.handshakeTrafficHash);
    add(
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      hkdfExpandLabel(hash.name, handshakeSecret, 'c hs traffic', transcript, hash.length),
    );
    add(
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      hkdfExpandLabel(hash.name, handshakeSecret, 's hs traffic', transcript, hash.length),
    );
  }
  add('CLIENT_TRAFFIC_SECRET_0', take(event.clientAppTrafficSecret));
  add('SERVER_TRAFFIC_SECRET_0', take(event.serverAppTrafficSecret));
  add('EXPORTER_SECRET', take(event.exporterMasterSecret));
  return lines;
}

export function formatKeyLogLine(line: KeyLogLine): string {
  return `${line.label} ${line.clientRandom} ${line.secret}\n`;
}
