/**
 * The captured process and its connection, as every output shows them: the console's process
 * line and the JSON fields. Src / src_* is the process's own address, Dest / dst_* its peer.
 */
import type { ConnectionFacts } from '../../capture/captured-event';

/**
 * `PID:<pid>, Comm:<comm>, Src:<ip>:<port>, Dest:<ip>:<port>,` (IPv6 in brackets, `?` when unknown),
 * then `Container:<first 12 hex>, Pod:<uid>,` for a process in a container or pod.
 */
export function processLine(c: ConnectionFacts): string {
  return (
    `PID:${c.pid}, Comm:${c.comm}, ` +
    `Src:${formatEndpoint(c.ipVersion, c.localAddress, c.localPort)}, ` +
    `Dest:${formatEndpoint(c.ipVersion, c.remoteAddress, c.remotePort)},` +
    (c.containerId === undefined ? '' : ` Container:${c.containerId.slice(0, 12)},`) +
    (c.podUid === undefined ? '' : ` Pod:${c.podUid},`)
  );
}

export interface JsonConnection {
  readonly pid: number;
  readonly comm: string;
  readonly uid: number;
  readonly fd: number;
  /** Hex kernel socket address, null when unknown. */
  readonly sock_id: string | null;
  /** The captured process's own address; null when the tuple is unknown. */
  readonly src_addr: string | null;
  readonly src_port: number | null;
  /** Its peer. */
  readonly dst_addr: string | null;
  readonly dst_port: number | null;
  readonly tls_library: string;
  /** The full 64-hex container id, null outside a container. */
  readonly container_id: string | null;
  /** The Kubernetes pod UID, null outside a pod. */
  readonly pod_uid: string | null;
}

export function connectionJson(c: ConnectionFacts): JsonConnection {
  const known = c.ipVersion !== 0;
  return {
    pid: c.pid,
    comm: c.comm,
    uid: c.uid,
    fd: c.fd,
    sock_id: c.sockId === 0n ? null : `0x${c.sockId.toString(16)}`,
    src_addr: known ? c.localAddress : null,
    src_port: known ? c.localPort : null,
    dst_addr: known ? c.remoteAddress : null,
    dst_port: known ? c.remotePort : null,
    tls_library: c.tlsLibrary,
    container_id: c.containerId ?? null,
    pod_uid: c.podUid ?? null,
  };
}

/** `ip:port`, `[ipv6]:port`, or '?' when the tuple is unknown (ipVersion 0). */
function formatEndpoint(ipVersion: 0 | 4 | 6, address: string, port: number): string {
  switch (ipVersion) {
    case 4:
      return `${address}:${port}`;
    case 6:
      return `[${address}]:${port}`;
    case 0:
      return '?';
  }
}
