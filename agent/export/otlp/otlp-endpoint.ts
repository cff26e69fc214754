/**
 * What an OTLP/gRPC endpoint may look like: `http://host:port` (plaintext), `https://host:port`
 * (TLS) or `host:port` (TLS unless insecure). A path is allowed and ignored by gRPC.
 */

/** A sentence saying what is wrong with the endpoint, or undefined when it is usable. */
export function checkOtlpEndpoint(endpoint: string): string | undefined {
  const text = endpoint.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    return `scheme ${scheme}:// is not supported: use http:// (plaintext gRPC) or https:// (TLS)`;
  }
  // Without a scheme only HOST:PORT: anything else (`ht!tp://x`) is a typo, not a host name.
  if (scheme === undefined && !/^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):\d+(?:\/.*)?$/.test(text)) {
    return `"${endpoint}" is not a URL like http://collector:4317 (or HOST:PORT)`;
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `https://${text}` : text);
  } catch {
    return `"${endpoint}" is not a URL like http://collector:4317`;
  }
  if (url.hostname === '') return `"${endpoint}" names no host`;
  if (!/^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])$/.test(url.hostname)) return `"${url.hostname}" is not a host name`;
  return undefined;
}
