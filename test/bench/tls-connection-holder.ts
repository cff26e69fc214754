/**
 * A load-generator child for the memory benchmark: opens N keep-alive TLS connections to an
 * HTTPS server on 127.0.0.1, makes one request on each (so that the server's side of every
 * connection is seen by plaintap and gets a worker), and holds them open.
 *
 *   node dist-test/test/bench/tls-connection-holder.js PORT COUNT [PARALLEL]
 *
 * stdout: `ready N` once every connection answered, `done N` after each `request` line read on
 * stdin (one more request on every connection); stdin closing ends every connection and exits.
 * Needs RLIMIT_NOFILE above COUNT (the benchmark starts it through prlimit).
 */
import readline from 'node:readline';
import { KeepAliveTlsConnection } from './keep-alive-tls-connection';

/** Runs `task` for 0..count-1 with at most `parallel` at once. */
async function inParallel(count: number, parallel: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const count = Number(process.argv[3]);
  const parallel = Number(process.argv[4] ?? 64);
  if (!(port > 0) || !(count > 0)) throw new Error('usage: tls-connection-holder PORT COUNT [PARALLEL]');
  const connections: KeepAliveTlsConnection[] = [];
  const started = Date.now();
  await inParallel(count, parallel, async () => {
    const connection = await KeepAliveTlsConnection.open(port, '/hello');
    await connection.get();
    connections.push(connection);
    if (connections.length % 2000 === 0) process.stderr.write(`holder: ${connections.length} connections\n`);
  });
  process.stderr.write(
    `holder: ${connections.length} connections in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(`ready ${connections.length}\n`);

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== 'request') continue;
    await inParallel(connections.length, parallel, async (i) => connections[i]?.get());
    process.stdout.write(`done ${connections.length}\n`);
  }
  for (const connection of connections) connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`holder: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
