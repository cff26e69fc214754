/**
 * Records the HTTP/1 byte streams in test/fixtures/http1/*.stream.json from
 * real peers: Debian's nginx (plain HTTP on 127.0.0.1) and curl, with a
 * recording TCP proxy between them. Each TCP read becomes one step, so the
 * fixtures keep the real chunking. Run on demand:
 *
 *   npm run build:test && node dist-test/test/bench/http1-record-fixtures.js
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { recordingProxy, saveStreamFixture, startRecordingNginx, type RecordedStep } from './stream-recorder';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/http1');

function save(name: string, description: string, command: string, connections: RecordedStep[][]): void {
  saveStreamFixture(FIXTURES, name, description, command, connections);
}

async function main(): Promise<void> {
  fs.mkdirSync(FIXTURES, { recursive: true });
  const nginx = await startRecordingNginx();
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
