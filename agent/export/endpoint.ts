/** `ip:port`, `[ipv6]:port`, or '?' when the tuple is unknown (ipVersion 0). */
export function formatEndpoint(ipVersion: 0 | 4 | 6, address: string, port: number): string {
  switch (ipVersion) {
    case 4:
      return `${address}:${port}`;
    case 6:
      return `[${address}]:${port}`;
    case 0:
      return '?';
  }
}
