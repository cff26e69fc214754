/**
 * nginx as the traced server (one worker, TLS on 127.0.0.1, a 17-byte response over keep-alive):
 *   nginx     HTTP/1.1 under wrk
 *   nginx-h2  HTTP/2 (`listen … ssl http2`) under h2load, several streams per connection
 */
import { startNginx } from '../support/nginx-server';
import { makeCertificate } from '../support/tls-fixtures';
import { formatNumber, h2load, wrk } from './bench-support';
import { forkOtlpCountSink } from './otlp-count-sink-process';
import type { TracedWorkload, WorkloadSettings } from './traced-app-rounds';
import { agentMode, BASE_MODE, floorMode, LIBSSL } from './tracer-modes';

const SSL_TARGETS = (): readonly string[] => [`openssl:${LIBSSL}`];

/** HTTP/1.1 under wrk, with the filtered and exporting agent modes. */
export async function nginxWorkload(settings: WorkloadSettings): Promise<TracedWorkload> {
  const { seconds, rounds, connections } = settings;
  const nginx = await startNginx(makeCertificate());
  const sink = await forkOtlpCountSink();
  const worker = (): string[] => ['--pid', String(nginx.workerPid)];
  const exporting = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint };
  const url = `https://127.0.0.1:${nginx.port}/hello`;
  return {
    title: `nginx (1 worker, TLS, keep-alive, 17-byte response) under wrk -t1 -c${connections} -d${seconds}s, ${rounds} rounds, median req/s:`,
    rateUnit: 'req/s',
    unitShort: 'req',
    unitLong: 'request',
    modes: [
      BASE_MODE,
      floorMode('noop', 'noop', SSL_TARGETS),
      floorMode('minimal', 'capture', SSL_TARGETS),
      agentMode('plaintap', () => []),
      agentMode('plaintap-nginx', () => ['--comm', 'nginx']),
      agentMode('plaintap-pid', worker),
      agentMode('plaintap-otlp', () => [], exporting),
      agentMode('plaintap-otlp-pid', worker, exporting),
    ],
    warmUp: async () => void (await wrk(url, 1, connections)), // nginx and the page cache
    load: (s) => wrk(url, s, connections),
    stop: async () => {
      await nginx.stop();
      const records = (await sink.counts()).records;
      await sink.stop();
      return [`the sink counted ${formatNumber(records)} OTLP records during the plaintap-otlp rounds`];
    },
  };
}

/** HTTP/2 under h2load: `streams` concurrent streams on each of `connections` connections. */
export async function nginxH2Workload(settings: WorkloadSettings): Promise<TracedWorkload> {
  const { seconds, rounds, connections, streams } = settings;
  // h2load does not reconnect: a connection closed after keepalive_requests would end its share of the load.
  const nginx = await startNginx(makeCertificate(), { http2: true, keepaliveRequests: 1_000_000_000 });
  const url = `https://127.0.0.1:${nginx.port}/hello`;
  return {
    title: `nginx HTTP/2 (1 worker, TLS, 17-byte response) under h2load -t1 -c${connections} -m${streams} -D${seconds}, ${rounds} rounds, median req/s:`,
    rateUnit: 'req/s',
    unitShort: 'req',
    unitLong: 'request',
    modes: [
      BASE_MODE,
      floorMode('noop', 'noop', SSL_TARGETS),
      floorMode('minimal', 'capture', SSL_TARGETS),
      agentMode('plaintap', () => []),
      floorMode('minimal-pid', 'capture', SSL_TARGETS, () => nginx.workerPid),
      agentMode('plaintap-pid', () => ['--pid', String(nginx.workerPid)]),
    ],
    pairs: [['plaintap-pid', 'minimal-pid']],
    warmUp: async () => void (await h2load(url, { seconds: 1 }, connections, streams)),
    load: async (s) => (await h2load(url, { seconds: s }, connections, streams)).rate,
    stop: async () => {
      await nginx.stop();
      return [];
    },
  };
}
