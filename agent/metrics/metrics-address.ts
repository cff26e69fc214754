/** `--metrics-address`: `HOST:PORT` (`[v6]:PORT` for IPv6; port 0 picks a free one) or `off`. */
import net from 'node:net';

export type MetricsAddress = { readonly host: string; readonly port: number } | 'off';

export const METRICS_ADDRESS_OFF = 'off';

/** The address, or a sentence saying what is wrong with it. */
export function parseMetricsAddress(text: string): MetricsAddress | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === METRICS_ADDRESS_OFF) return 'off';
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(trimmed);
  if (!match)
    return { problem: `expected HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464) or off, got "${text}"` };
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) return { problem: `port ${port} is out of range (0 to 65535; 0 picks a free port)` };
  if (match[1] !== undefined && net.isIPv6(host) === false)
    return { problem: `"${host}" in brackets is not an IPv6 address` };
  return { host, port };
}

/** `host:port`, IPv6 in brackets: the form the `ready` line and the docs use. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
