/**
 * HTTP/1 parsing speed on recorded byte streams (test/fixtures/http1), for
 * plaintap's parser and for Node's own HTTP/1 path on the same bytes:
 *
 *  - plaintap: both directions through the http1 protocol of one connection,
 *    requests paired with responses and exchange records built.
 *  - node http: the request bytes through an in-memory socket into
 *    http.Server (each request answered with an empty res.end(), the next
 *    one sent once it is), and the response bytes through an in-memory
 *    socket into http.request with a keep-alive agent — Node's full path,
 *    llhttp underneath.
 *  - llhttp binding: both directions straight into Node's internal
 *    HTTPParser (llhttp) with empty callbacks: the floor of any Node path.
 *
 * Prints exchanges/s and MB/s (request + response bytes), medians of several
 * runs, and plaintap's ratio to each. Single thread, no timing assertions.
 *
 *   npm run build:test && node dist-test/test/bench/http1-parse.bench.js [--exchanges N] [--runs R]
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { Direction, type ConnectionFacts } from '../../agent/capture/captured-event';
import { createHttp1Protocol } from '../../agent/protocols/http1/http1-protocol';
import { facts } from '../support/captured-events';

interface Exchange {
  readonly request: Buffer;
  readonly response: Buffer;
}

interface Workload {
  readonly name: string;
  readonly exchanges: readonly Exchange[];
  /** Compare with Node's paths (the fixture must suit them: no HEAD, no close). */
  readonly compare: boolean;
}

interface Measurement {
  readonly exchanges: number;
  readonly bytes: number;
  readonly seconds: number;
}

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http1');

const CONNECTION: ConnectionFacts = facts({ pid: 1, tid: 1, uid: 0, comm: 'bench', fd: 3, sockId: 1n });

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A recorded stream as request/response pairs (consecutive steps of one direction joined). */
function loadExchanges(name: string): Exchange[] {
  const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.stream.json`), 'utf8')) as {
    steps: { dir: 'request' | 'response'; base64: string }[];
  };
  const out: Exchange[] = [];
  let request: Buffer[] = [];
  let response: Buffer[] = [];
  const flush = (): void => {
    if (request.length > 0 && response.length > 0)
      out.push({ request: Buffer.concat(request), response: Buffer.concat(response) });
    request = [];
    response = [];
  };
  for (const step of fixture.steps) {
    const bytes = Buffer.from(step.base64, 'base64');
    if (step.dir === 'request' && response.length > 0) flush();
    (step.dir === 'request' ? request : response).push(bytes);
  }
  flush();
  return out;
}

function repeat(exchanges: readonly Exchange[], count: number): Exchange[] {
  const out: Exchange[] = [];
  for (let i = 0; i < count; i++) out.push(exchanges[i % exchanges.length] as Exchange);
  return out;
}

function bytesOf(exchanges: readonly Exchange[]): number {
  let total = 0;
  for (const x of exchanges) total += x.request.length + x.response.length;
  return total;
}

// ---- plaintap -----------------------------------------------------------------------------------

function runPlaintap(exchanges: readonly Exchange[]): Measurement {
  const protocol = createHttp1Protocol();
  let emitted = 0;
  const parser = protocol.create(CONNECTION, { emit: () => void emitted++ });
  let ts = 1_000_000_000n;
  const started = process.hrtime.bigint();
  for (const x of exchanges) {
    parser.push({ direction: Direction.Egress, timestampNs: ts, bytes: x.request, gapBefore: 0, tid: 1 });
    ts += 1000n;
    parser.push({ direction: Direction.Ingress, timestampNs: ts, bytes: x.response, gapBefore: 0, tid: 1 });
    ts += 1000n;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (emitted !== exchanges.length) throw new Error(`plaintap emitted ${emitted} of ${exchanges.length}`);
  return { exchanges: emitted, bytes: bytesOf(exchanges), seconds };
}

// ---- Node: http.Server and http.request over in-memory sockets ----------------------------------

/** A Duplex standing in for a net.Socket: writes go to `onWrite`, reads come from push(). */
class MemorySocket extends Duplex {
  constructor(private readonly onWrite: (chunk: Buffer) => void) {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.onWrite(chunk);
    callback();
  }
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

async function runNodeServer(exchanges: readonly Exchange[]): Promise<number> {
  let answered = 0;
  const socket = new MemorySocket(() => undefined);
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.sendDate = false;
        res.end();
      });
      res.on('finish', () => {
        // Like a keep-alive client: the next request once the answer went out.
        const next = exchanges[++answered];
        if (next === undefined) resolve();
        else socket.push(next.request);
      });
    });
    server.emit('connection', socket);
    socket.push((exchanges[0] as Exchange).request);
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function runNodeClient(exchanges: readonly Exchange[]): Promise<number> {
  let next = 0;
  const socket = new MemorySocket(() => {
    // The client wrote a request: the server's recorded answer arrives.
    const x = exchanges[next++];
    if (x !== undefined) setImmediate(() => socket.push(x.response));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => socket;
  const started = process.hrtime.bigint();
  for (let i = 0; i < exchanges.length; i++) {
    await new Promise<void>((resolve, reject) => {
      const request = http.request({ agent, host: 'localhost', path: '/', method: 'GET' }, (response) => {
        response.on('end', resolve);
        response.resume();
      });
      request.on('error', reject);
      request.end();
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return seconds;
}

async function runNodeHttp(exchanges: readonly Exchange[]): Promise<Measurement> {
  const serverSeconds = await runNodeServer(exchanges);
  const clientSeconds = await runNodeClient(exchanges);
  return { exchanges: exchanges.length, bytes: bytesOf(exchanges), seconds: serverSeconds + clientSeconds };
}

// ---- Node: the llhttp binding directly ----------------------------------------------------------

interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(bytes: Buffer): number | Error;
  [key: number]: unknown;
}

interface LlhttpBinding {
  new (): LlhttpParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
}

function runLlhttp(exchanges: readonly Exchange[]): Measurement {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HTTPParser } = require('_http_common') as { HTTPParser: LlhttpBinding };
  let complete = 0;
  const make = (type: number): LlhttpParser => {
    const parser = new HTTPParser();
    parser.initialize(type, {});
    parser[HTTPParser.kOnHeaders] = () => undefined;
    parser[HTTPParser.kOnHeadersComplete] = () => 0;
    parser[HTTPParser.kOnBody] = () => undefined;
    parser[HTTPParser.kOnMessageComplete] = () => void complete++;
    return parser;
  };
  const requests = make(HTTPParser.REQUEST);
  const responses = make(HTTPParser.RESPONSE);
  const started = process.hrtime.bigint();
  for (const x of exchanges) {
    requests.execute(x.request);
    responses.execute(x.response);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (complete !== 2 * exchanges.length)
    throw new Error(`llhttp completed ${complete} of ${2 * exchanges.length} messages`);
  return { exchanges: exchanges.length, bytes: bytesOf(exchanges), seconds };
}

// ---- driver -------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Rate {
  readonly perSecond: number;
  readonly megabytesPerSecond: number;
}

async function measure(runs: number, once: () => Measurement | Promise<Measurement>): Promise<Rate> {
  // Warm up (JIT, caches) before measuring.
  await once();
  await once();
  const perSecond: number[] = [];
  const megabytes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await once();
    perSecond.push(m.exchanges / m.seconds);
    megabytes.push(m.bytes / 1e6 / m.seconds);
  }
  return { perSecond: median(perSecond), megabytesPerSecond: median(megabytes) };
}

function line(label: string, rate: Rate, reference?: Rate): string {
  const ratio = reference === undefined ? '' : `   plaintap ×${(reference.perSecond / rate.perSecond).toFixed(2)}`;
  return `  ${label.padEnd(16)} ${Math.round(rate.perSecond).toLocaleString('en-US').padStart(11)} exchanges/s  ${rate.megabytesPerSecond.toFixed(1).padStart(7)} MB/s${ratio}`;
}

async function main(): Promise<void> {
  const count = argument('exchanges', 100_000);
  const runs = argument('runs', 7);
  const workloads: Workload[] = [
    {
      name: 'small keep-alive GETs (curl-nginx-keepalive)',
      exchanges: repeat(loadExchanges('curl-nginx-keepalive'), count),
      compare: true,
    },
    {
      name: '3 KB chunked uploads (curl-nginx-chunked-upload)',
      exchanges: repeat(loadExchanges('curl-nginx-chunked-upload'), count / 4),
      compare: true,
    },
    {
      name: 'gzip chunked JSON, decoded (curl-nginx-gzip-chunked)',
      exchanges: repeat(loadExchanges('curl-nginx-gzip-chunked'), count / 20),
      compare: false,
    },
  ];
  console.log(`node ${process.version}, ${runs} runs each (median), after 2 warm-up runs`);
  for (const workload of workloads) {
    const n = workload.exchanges.length;
    const perExchange = bytesOf(workload.exchanges) / n;
    console.log(`\n${workload.name}: ${n.toLocaleString('en-US')} exchanges, ${perExchange.toFixed(0)} bytes each`);
    const plaintap = await measure(runs, () => runPlaintap(workload.exchanges));
    console.log(line('plaintap', plaintap));
    if (!workload.compare) continue;
    const nodeHttp = await measure(Math.min(runs, 5), () => runNodeHttp(workload.exchanges));
    console.log(line('node http', nodeHttp, plaintap));
    const llhttp = await measure(runs, () => runLlhttp(workload.exchanges));
    console.log(line('llhttp binding', llhttp, plaintap));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
