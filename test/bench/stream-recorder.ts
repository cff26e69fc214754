/**
 * What the stream-fixture recorders (http1-record-fixtures.ts, http2-record-fixtures.ts) share: a
 * plain-HTTP nginx serving the fixtures' documents, a TCP proxy that records every read of both
 * directions, and the writer of `<name>.stream.json` (the steps test/support/stream-script.ts loads).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { makeTempDir } from '../support/temp-dir';
import { waitForListener } from '../support/listener';
import { nginxTempPaths } from '../support/nginx-server';

/** One read as recorded: 'request' is what the client sent. */
export interface RecordedStep {
  dir: 'request' | 'response';
  base64: string;
}

export interface RecordingNginx {
  readonly port: number;
  /** The document root (a recorder may put upload files there). */
  readonly root: string;
  stop(): void;
}

/**
 * nginx on 127.0.0.1 without TLS (cleartext HTTP/2 with prior knowledge when `http2`): /hello,
 * /index.html, /items.json (gzip when asked), /empty (204), /upload (201), /cookie (Set-Cookie).
 */
export async function startRecordingNginx(options: { readonly http2?: boolean } = {}): Promise<RecordingNginx> {
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
  ${nginxTempPaths(prefix)}
  types { text/html html; application/json json; }
  gzip on;
  gzip_types application/json;
  gzip_min_length 256;
  server {
    listen 127.0.0.1:${port}${options.http2 === true ? ' http2' : ''};
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
  await waitForListener(port, 'nginx', 10_000);
  return {
    port,
    root,
    stop: () => {
      child.kill('SIGTERM');
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** A proxy to 127.0.0.1:`target` that records every read of both directions, in arrival order, one list per connection. */
export async function recordingProxy(
  target: number,
): Promise<{ port: number; take(): RecordedStep[][]; close(): void }> {
  const connections: RecordedStep[][] = [];
  const server = net.createServer((client) => {
    const steps: RecordedStep[] = [];
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

/** Writes `<dir>/<name>.stream.json` from the one connection recorded (throws on more or fewer). */
export function saveStreamFixture(
  dir: string,
  name: string,
  description: string,
  command: string,
  connections: RecordedStep[][],
): void {
  const steps = connections[0] ?? [];
  if (connections.length !== 1) throw new Error(`${name}: expected one connection, got ${connections.length}`);
  const fixture = { description, recorded_with: command, steps };
  fs.writeFileSync(path.join(dir, `${name}.stream.json`), JSON.stringify(fixture, null, 1) + '\n');
  console.log(`${name}: ${steps.length} steps`);
}
