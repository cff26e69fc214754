/**
 * Records the HTTP/1 byte streams in test/fixtures/http1/*.stream.json from
 * real peers: Debian's nginx (plain HTTP on 127.0.0.1) and curl, with a
 * recording TCP proxy between them. Each TCP read becomes one step, so the
 * fixtures keep the real chunking. Run on demand:
 *
 *   npm run build:test && node dist-test/test/bench/http1-record-fixtures.js
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../support/temp-dir';

interface Step {
  dir: 'request' | 'response';
  base64: string;
}

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http1');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startNginx(): Promise<{ port: number; stop(): void; root: string }> {
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
    listen 127.0.0.1:${port};
    root ${root};
    keepalive_requests 1000;
    location = /hello { return 200 "hello from nginx\\n"; }
    location = /empty { return 204; }
    location = /upload { client_body_buffer_size 64k; return 201 "stored\\n"; }
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
async function recordingProxy(target: number): Promise<{ port: number; take(): Step[][]; close(): void }> {
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

async function main(): Promise<void> {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const nginx = await startNginx();
  const proxy = await recordingProxy(nginx.port);
  const base = `http://127.0.0.1:${proxy.port}`;
  // Asynchronous: the proxy runs on this process's event loop.
  const curl = async (args: string[]): Promise<void> => {
    await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '--http1.1', ...args]);
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));
  try {
    const keepAlive = [
      '-H',
      'Accept-Encoding: identity',
      `${base}/hello`,
      `${base}/index.html`,
      `${base}/empty`,
      `${base}/hello`,
    ];
    await curl([...keepAlive, '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null']);
    await settle();
    save(
      'curl-nginx-keepalive',
      'four GETs on one keep-alive connection: 200 text, 200 html, 204, 200',
      `curl --http1.1 ${keepAlive.join(' ')}`,
      proxy.take(),
    );

    await curl(['--compressed', `${base}/items.json`]);
    await settle();
    save(
      'curl-nginx-gzip-chunked',
      'GET with --compressed: nginx answers gzip, chunked',
      'curl --http1.1 --compressed /items.json',
      proxy.take(),
    );

    await curl([
      '-I',
      `${base}/index.html`,
      '--next',
      '--http1.1',
      '-s',
      '-o',
      '/dev/null',
      '-H',
      'If-None-Match: *',
      `${base}/index.html`,
    ]);
    await settle();
    save(
      'curl-nginx-head-304',
      'HEAD (Content-Length, no body) then a conditional GET answered 304',
      'curl --http1.1 -I /index.html --next -H "If-None-Match: *" /index.html',
      proxy.take(),
    );

    const upload = path.join(nginx.root, 'upload.bin');
    fs.writeFileSync(upload, Buffer.alloc(3000, 'u'));
    await curl(['-H', 'Expect: 100-continue', '--data-binary', `@${upload}`, `${base}/upload`]);
    await settle();
    save(
      'curl-nginx-expect-continue',
      'POST of 3000 bytes with Expect: 100-continue',
      'curl --http1.1 -H "Expect: 100-continue" --data-binary @3000-bytes /upload',
      proxy.take(),
    );

    await curl(['-H', 'Transfer-Encoding: chunked', '--data-binary', `@${upload}`, `${base}/upload`]);
    await settle();
    save(
      'curl-nginx-chunked-upload',
      'POST with a chunked request body',
      'curl --http1.1 -H "Transfer-Encoding: chunked" --data-binary @3000-bytes /upload',
      proxy.take(),
    );

    // Pipelining: curl no longer pipelines; three requests written at once from a raw socket.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(proxy.port, '127.0.0.1', () => {
        socket.write(
          'GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n' +
            'GET /index.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n' +
            'GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        );
      });
      socket.on('data', () => undefined);
      socket.on('end', () => resolve());
      socket.on('error', reject);
    });
    await settle();
    save(
      'nginx-pipelined',
      'three pipelined GETs written in one call; the last asks Connection: close',
      'net.Socket.write of three requests',
      proxy.take(),
    );
  } finally {
    proxy.close();
    nginx.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
