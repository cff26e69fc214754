/**
 * HTTP/2 parsing speed on a session recorded from real peers: h2load (nghttp2-client) against
 * Debian's nginx over cleartext HTTP/2 (prior knowledge) through the recording proxy of
 * http2-record-fixtures.ts, then replayed, both directions, through the http2 protocol of one
 * connection per recorded connection (frames, HPACK, streams, exchange records built; no
 * export). Also the HPACK decoder alone on the session's header blocks. Prints medians of
 * several runs; single thread; no timing assertions.
 *
 *   npm run build:test && node dist-test/test/bench/http2-parse.bench.js [--requests N] [--runs R]
 */
import { execFile } from 'node:child_process';
import { Direction, type ConnectionFacts } from '../../agent/capture/captured-event';
import { HpackDecoder } from '../../agent/protocols/http2/hpack/hpack-decoder';
import { Http2Protocol } from '../../agent/protocols/http2/http2-protocol';
import { recordingProxy, startNginx, type Step } from './http2-record-fixtures';

const CONNECTION: ConnectionFacts = {
  pid: 1,
  tid: 1,
  uid: 0,
  comm: 'bench',
  fd: 3,
  sockId: 1n,
  ipVersion: 4,
  localAddress: '127.0.0.1',
  localPort: 50000,
  remoteAddress: '127.0.0.1',
  remotePort: 443,
  tlsLibrary: 'openssl',
};

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function record(requests: number): Promise<{ request: boolean; bytes: Buffer }[][]> {
  const nginx = await startNginx();
  const proxy = await recordingProxy(nginx.port);
  try {
    // nginx ends a connection after 1000 requests (keepalive_requests): h2load runs of 1000
    // requests on one connection, 10 streams at a time, small responses (exchanges are the cost).
    for (let done = 0; done < requests; done += 1000) {
      await new Promise<void>((resolve, reject) => {
        const n = String(Math.min(1000, requests - done));
        execFile('h2load', ['-n', n, '-c', '1', '-m', '10', `http://127.0.0.1:${proxy.port}/hello`], (error) =>
          error ? reject(new Error(error.message)) : resolve(),
        );
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    return proxy
      .take()
      .map((steps: Step[]) =>
        steps.map((s) => ({ request: s.dir === 'request', bytes: Buffer.from(s.base64, 'base64') })),
      );
  } finally {
    proxy.close();
    nginx.stop();
  }
}

/** Header blocks of HEADERS frames (END_HEADERS set, no padding/priority) of one direction's bytes. */
function headerBlocks(bytes: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let at = bytes.subarray(0, 24).toString('latin1').startsWith('PRI *') ? 24 : 0;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    if (bytes[at + 3] === 1 && ((bytes[at + 4] as number) & 0x2c) === 0x04)
      blocks.push(bytes.subarray(at + 9, at + 9 + length));
    at += 9 + length;
  }
  return blocks;
}

async function main(): Promise<void> {
  const requests = arg('--requests', 20_000);
  const runs = arg('--runs', 7);
  const connections = await record(requests);
  const bytes = connections.flat().reduce((sum, step) => sum + step.bytes.length, 0);
  console.log(`recorded: ${connections.length} connection(s), ${requests} requests, ${(bytes / 1e6).toFixed(1)} MB`);

  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const protocol = new Http2Protocol();
    let records = 0;
    const started = process.hrtime.bigint();
    for (const steps of connections) {
      const parser = protocol.create(CONNECTION, { emit: () => records++ });
      let ts = 1n;
      for (const step of steps) {
        parser.push({
          direction: step.request ? Direction.Egress : Direction.Ingress,
          timestampNs: ts++,
          bytes: step.bytes,
          gapBefore: 0,
          tid: 1,
        });
      }
      parser.close(ts);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (records !== requests) throw new Error(`expected ${requests} exchanges, got ${records}`);
    rates.push(records / seconds);
  }
  console.log(
    `http2 protocol (frames + HPACK + streams + records): median ${Math.round(median(rates)).toLocaleString('en')} exchanges/s (runs: ${rates.map((r) => Math.round(r / 1000) + 'k').join(' ')})`,
  );

  // HPACK alone: each direction's header blocks in order through a fresh decoder.
  for (const [name, request] of [
    ['request', true],
    ['response', false],
  ] as const) {
    const blocks = connections.flatMap((steps) =>
      headerBlocks(Buffer.concat(steps.filter((s) => s.request === request).map((s) => s.bytes))),
    );
    const blockRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      const decoder = new HpackDecoder();
      const started = process.hrtime.bigint();
      for (const block of blocks) decoder.decode(block, 0, block.length);
      blockRates.push(blocks.length / (Number(process.hrtime.bigint() - started) / 1e9));
    }
    console.log(
      `HPACK ${name} blocks (${blocks.length}): median ${Math.round(median(blockRates)).toLocaleString('en')} blocks/s`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
