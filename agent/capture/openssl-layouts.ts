/**
 * Where OpenSSL builds keep a session's secrets inside their SSL object: the offsets the kernel
 * reads the TLS secrets at (struct openssl_layout in bpf/events.h). OpenSSL exports no getter
 * for the TLS 1.3 secrets and the Debian packages ship no debug information (no DWARF, no
 * libssl3-dbgsym), so, as eCapture does, offsets come from a table per version series. Each entry
 * was measured against the real library (test/unit/capture/openssl-layouts.test.ts compares it with what
 * SSL_get_client_random, SSL_get_session and the library's own keylog callback give), and the
 * kernel checks two fields of every object (version, cipher id) before it reads anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OpensslLayoutOffset } from './events-abi.generated';

/** struct openssl_layout, field by field (events-abi.generated.ts). */
export type OpenSslLayout = Readonly<Record<keyof typeof OpensslLayoutOffset, number>>;

export interface KnownLayout {
  /** Shown in the ready line and the README: which builds it was measured on. */
  readonly name: string;
  /** The versions it applies to. */
  readonly matches: (version: string) => boolean;
  readonly layout: OpenSslLayout;
}

/** OpenSSL 3.0 (struct ssl_st), measured on Debian 12's libssl3 3.0.22. */
const OPENSSL_3_0: OpenSslLayout = {
  sslVersion: 0x0,
  sslSession: 0x918,
  sslClientRandom: 0x160,
  sslHandshakeSecret: 0x584,
  sslHandshakeTrafficHash: 0x704,
  sslClientAppTrafficSecret: 0x744,
  sslServerAppTrafficSecret: 0x784,
  sslExporterMasterSecret: 0x7c4,
  sessionMasterKeyLength: 0x8,
  sessionMasterKey: 0x50,
  sessionCipher: 0x2f8,
  cipherId: 0x18,
};

export const KNOWN_LAYOUTS: readonly KnownLayout[] = [
  { name: 'openssl-3.0', matches: (version) => /^3\.0\.\d+$/.test(version), layout: OPENSSL_3_0 },
];

const VERSION_TEXT = /OpenSSL (\d+\.\d+\.\d+[a-z]?) +\d{1,2} [A-Z][a-z]{2} \d{4}/;

/**
 * The OpenSSL version of a libssl file: its version text lives in libcrypto (beside it, with the
 * same soname version), or in the file itself when OpenSSL is linked in statically.
 */
export function opensslVersionOf(file: string): string | undefined {
  const candidates = [file];
  const match = /^libssl(\.so.*)$/.exec(path.basename(file));
  if (match) candidates.unshift(path.join(path.dirname(file), `libcrypto${match[1]}`));
  for (const candidate of candidates) {
    let text: string;
    try {
      text = fs.readFileSync(candidate).toString('latin1');
    } catch {
      continue;
    }
    const found = VERSION_TEXT.exec(text);
    if (found?.[1] !== undefined) return found[1];
  }
  return undefined;
}

/** The layout for a library file, or why there is none. */
export function layoutFor(file: string): { known: KnownLayout; version: string } | { problem: string } {
  const version = opensslVersionOf(file);
  if (version === undefined) return { problem: 'OpenSSL version unknown' };
  const known = KNOWN_LAYOUTS.find((entry) => entry.matches(version));
  return known ? { known, version } : { problem: `OpenSSL ${version}: no known layout` };
}
