/**
 * A load-generator child for the memory and latency benchmarks: GET /hello at a steady rate
 * (open loop: requests are due on a fixed schedule, whatever the answers' pace) over a few
 * keep-alive TLS connections to 127.0.0.1:PORT, for a fixed time. Debian's wrk has no rate
 * option, hence this.
 *
 *   node dist-test/test/bench/paced-client.js PORT RATE SECONDS [CONNECTIONS]
 *
 * stdout: `ready` once connected (the schedule starts then), and at the end one JSON line:
 * `{"sent","completed","failed","seconds","rate","maxBacklog"}`; maxBacklog counts requests
 * that were due while every connection was busy (then sent as soon as one was free).
 */
import { KeepAliveTlsConnection } from './keep-alive-tls-connection';

const TICK_MS = 2;
/** How long to wait for the last answers after the schedule ends. */
const DRAIN_MS = 5000;

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const rate = Number(process.argv[3]);
  const seconds = Number(process.argv[4]);
  const connectionCount = Number(process.argv[5] ?? 8);
  if (!(port > 0) || !(rate > 0) || !(seconds > 0) || !(connectionCount > 0)) {
    throw new Error('usage: paced-client PORT RATE SECONDS [CONNECTIONS]');
  }
  const idle: KeepAliveTlsConnection[] = [];
  for (let i = 0; i < connectionCount; i++) idle.push(await KeepAliveTlsConnection.open(port, '/hello'));
  let sent = 0;
  let completed = 0;
  let failed = 0;
  let maxBacklog = 0;
  let due = 0;

  const send = (connection: KeepAliveTlsConnection): void => {
    sent++;
    connection.get().then(
      () => {
        completed++;
        idle.push(connection);
        pump();
      },
      () => {
        failed++; // the connection is gone: the pool shrinks
        pump();
      },
    );
  };
  function pump(): void {
    while (sent < due) {
      const connection = idle.pop();
      if (connection === undefined) break;
      send(connection);
    }
    maxBacklog = Math.max(maxBacklog, due - sent);
  }

  process.stdout.write('ready\n');
  const started = process.hrtime.bigint();
  const total = Math.round(rate * seconds);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      due = Math.min(total, Math.floor(rate * elapsed));
      pump();
      if (due >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const drainUntil = Date.now() + DRAIN_MS;
  while (completed + failed < sent && Date.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ sent, completed, failed, seconds: elapsed, rate: completed / elapsed, maxBacklog })}\n`,
  );
  for (const connection of idle) connection.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`paced-client: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
