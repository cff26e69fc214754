/**
 * Where the socket fd of a *tls.Conn is, per Go version: tls.Conn starts with `conn net.Conn`
 * (an interface: type word, data word); for a TCP connection the data word is a *net.TCPConn,
 * whose first field is `fd *netFD`; netFD starts with `pfd poll.FD`, which is `fdmu fdMutex`
 * (16 bytes) then `Sysfd int`. The kernel side follows these three offsets (the attach cookie).
 * Checked against the Go sources of every version in the table's range and by the e2e tests on
 * the oldest and newest versions README names.
 */
import { goVersionAtLeast, type GoVersion } from './go-buildinfo';

export interface GoTlsOffsets {
  /** tls.Conn → the data word of its `conn net.Conn`. */
  readonly connData: number;
  /** *net.TCPConn (embedded net.conn) → its `fd *netFD`. */
  readonly netFd: number;
  /** netFD → `pfd.Sysfd`. */
  readonly sysfd: number;
}

/** The register ABI (arguments and results in registers) arrived on amd64 with Go 1.17. */
export const OLDEST_SUPPORTED: GoVersion = { major: 1, minor: 17 };

/** Newest first; versions newer than the newest entry use it (layouts have not moved since 1.9). */
const TABLE: readonly { readonly since: GoVersion; readonly offsets: GoTlsOffsets }[] = [
  { since: { major: 1, minor: 17 }, offsets: { connData: 8, netFd: 0, sysfd: 16 } },
];

/** The offsets for a Go version, or undefined when the version is older than OLDEST_SUPPORTED. */
export function goTlsOffsets(version: GoVersion): GoTlsOffsets | undefined {
  return TABLE.find((entry) => goVersionAtLeast(version, entry.since.major, entry.since.minor))?.offsets;
}

/** The attach cookie the kernel decodes (GO_COOKIE_* in bpf/tls_go.bpf.h): 16 bits per offset. */
export function goOffsetsCookie(offsets: GoTlsOffsets): bigint {
  return BigInt(offsets.connData) | (BigInt(offsets.netFd) << 16n) | (BigInt(offsets.sysfd) << 32n);
}
