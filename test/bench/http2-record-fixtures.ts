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
import path from 'node:path';
import { freePort } from '../support/free-port';
import { recordingProxy, saveStreamFixture, startRecordingNginx, type RecordedStep } from './stream-recorder';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http2');
const GRPC = path.resolve(__dirname, '../../../test/fixtures/grpc');

function save(name: string, description: string, command: string, connections: RecordedStep[][]): void {
  saveStreamFixture(FIXTURES, name, description, command, connections);
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
  const nginx = await startRecordingNginx({ http2: true });
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
