/**
 * Records the HTTP/2 byte streams in test/fixtures/http2/*.stream.json from real peers over
 * cleartext HTTP/2 (prior knowledge) on 127.0.0.1: Debian's nginx with curl and nghttp, and
 * Debian's grpcio server and client (test/fixtures/grpc), with a recording TCP proxy between
 * them. Each TCP read becomes one step (the real chunking). Run on demand:
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/http2-record-fixtures.js
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir';

export interface Step {
  dir: 'request' | 'response';
  base64: string;
}

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http2');
const GRPC = path.resolve(__dirname, '../../../test/fixtures/grpc');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startNginx(): Promise<{ port: number; stop(): void; root: string }> {
  const port = await freePort();
  const prefix = makeTempDir('nginx');
  const root = path.join(prefix, 'html');
  fs.mkdirSync(path.join(prefix, 'logs'));
  fs.mkdirSync(root);
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html>\n<title>plaintap</title>\n<p>hello from nginx</p>\n',
  );
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(`{"id":${i},"name":"item ${i}","tags":["a","b","c"],"ok":true}`);
  fs.writeFileSync(path.join(root, 'items.json'), `[\n${lines.join(',\n')}\n]\n`);
  const conf = `
worker_processes 1;
daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  types { text/html html; application/json json; }
  gzip on;
  gzip_types application/json;
  gzip_min_length 256;
  server {
    listen 127.0.0.1:${port} http2;
    root ${root};
    keepalive_requests 1000;
    location = /hello { return 200 "hello from nginx\\n"; }
    location = /empty { return 204; }
    location = /upload { client_body_buffer_size 64k; return 201 "stored\\n"; }
    location = /cookie { add_header Set-Cookie "session=s3cr3t"; return 200 "cookie\\n"; }
  }
}
`;
  const confFile = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confFile, conf);
  const child = spawn('nginx', ['-c', confFile, '-p', prefix], { stdio: 'inherit' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    root,
    stop: () => {
      child.kill('SIGTERM');
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** A proxy that records every read of both directions, in arrival order, for one connection at a time. */
export async function recordingProxy(target: number): Promise<{ port: number; take(): Step[][]; close(): void }> {
  const connections: Step[][] = [];
  const server = net.createServer((client) => {
    const steps: Step[] = [];
    connections.push(steps);
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (data: Buffer) => {
      steps.push({ dir: 'request', base64: data.toString('base64') });
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      steps.push({ dir: 'response', base64: data.toString('base64') });
      client.write(data);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  return {
    port,
    take: () => connections.splice(0),
    close: () => server.close(),
  };
}

function save(name: string, description: string, command: string, connections: Step[][]): void {
  const steps = connections[0] ?? [];
  if (connections.length !== 1) throw new Error(`${name}: expected one connection, got ${connections.length}`);
  const fixture = { description, recorded_with: command, steps };
  fs.writeFileSync(path.join(FIXTURES, `${name}.stream.json`), JSON.stringify(fixture, null, 1) + '\n');
  console.log(`${name}: ${steps.length} steps`);
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)));
  });
}

async function startGrpcServer(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const child = spawn('/usr/bin/python3', [path.join(GRPC, 'server.py'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  return { port, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const nginx = await startNginx();
  const proxy = await recordingProxy(nginx.port);
  const base = `http://127.0.0.1:${proxy.port}`;
  const curl = (args: string[]): Promise<string> => run('curl', ['-s', '--http2-prior-knowledge', ...args]);
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));
  try {
    // curl 7.88 does not reuse a prior-knowledge connection: one request per fixture.
    await curl([
      '-o',
      '/dev/null',
      '--compressed',
      '-H',
      'Cookie: a=1',
      '-H',
      'Cookie: session=s3cr3t',
      `${base}/items.json?token=abc&x=1`,
    ]);
    await settle();
    save(
      'curl-nginx-gzip',
      'GET --compressed (gzip JSON) with two Cookie fields and a query',
      'curl --http2-prior-knowledge --compressed -H "Cookie: a=1" -H "Cookie: session=s3cr3t" "/items.json?token=abc&x=1"',
      proxy.take(),
    );

    const upload = path.join(nginx.root, 'upload.bin');
    fs.writeFileSync(upload, Buffer.alloc(3000, 'u'));
    await curl(['-o', '/dev/null', '--data-binary', `@${upload}`, `${base}/upload`]);
    await settle();
    save(
      'curl-nginx-post',
      'POST of 3000 bytes answered 201',
      'curl --http2-prior-knowledge --data-binary @3000-bytes /upload',
      proxy.take(),
    );

    await run('nghttp', ['-n', `${base}/hello`, `${base}/index.html`, `${base}/items.json`, `${base}/missing`]);
    await settle();
    save(
      'nghttp-nginx',
      'nghttp: four streams at once (200 text, 200 html, 200 json, 404), priorities and window updates',
      'nghttp -n /hello /index.html /items.json /missing',
      proxy.take(),
    );
  } finally {
    proxy.close();
    nginx.stop();
  }

  const grpcServer = await startGrpcServer();
  const grpcProxy = await recordingProxy(grpcServer.port);
  try {
    await run('/usr/bin/python3', [path.join(GRPC, 'client.py'), `127.0.0.1:${grpcProxy.port}`, '--gzip']);
    await settle();
    save(
      'grpcio-calls',
      'grpcio client and server (gzip): unary OK, unary NOT_FOUND with a message, server streaming 10, client streaming 5',
      'test/fixtures/grpc/client.py --gzip against test/fixtures/grpc/server.py',
      grpcProxy.take(),
    );
  } finally {
    grpcProxy.close();
    grpcServer.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
