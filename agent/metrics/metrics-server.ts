/**
 * The agent's HTTP endpoint for Prometheus and Kubernetes probes:
 *   GET /metrics  the registry in Prometheus text format
 *   GET /healthz  200 while the process serves HTTP (liveness)
 *   GET /readyz   200 when isReady() holds and nothing is degraded, else 503 (readiness)
 * Anything else is 404; methods other than GET and HEAD are 405.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** Interface to bind; default 127.0.0.1 (0.0.0.0 to be scraped from outside, e.g. in a pod). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly registry: Registry;
  /** Readiness; default always ready. A throw counts as not ready. */
  readonly isReady?: () => boolean;
  /** When ready, a reason to answer 503 anyway (e.g. export degraded): its text is the body. */
  readonly degradedReason?: () => string | undefined;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  close(): Promise<void>;
}

function respond(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry } = options;
  const isReady = options.isReady ?? (() => true);

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      respond(res, 405, 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics':
        registry.metrics().then(
          (text) => respond(res, 200, text, registry.contentType),
          (error: unknown) => respond(res, 500, `metrics collection failed: ${(error as Error).message}\n`),
        );
        return;
      case '/healthz':
        respond(res, 200, 'ok\n');
        return;
      case '/readyz': {
        let ready: boolean;
        try {
          ready = isReady();
        } catch {
          ready = false;
        }
        const degraded = ready ? options.degradedReason?.() : undefined;
        if (degraded !== undefined) respond(res, 503, `degraded: ${degraded}\n`);
        else respond(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
        return;
      }
      default:
        respond(res, 404, 'not found: try /metrics, /healthz, /readyz\n');
    }
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' scrape interval: reuse connections

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;

  return {
    host: address.address,
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
