/**
 * What plaintap costs the traced application: a server under load, side by side:
 *   base        nothing attached
 *   noop        no-op programs on plaintap's hook points (the probes alone)
 *   minimal     the same probes copying every call into a ring buffer, a C consumer discarding it
 *   plaintap    the agent attached, --output none
 *   …-pid       the floor / the agent on the server's process only
 * and for nginx (HTTP/1.1) also:
 *   plaintap-nginx  the agent with --comm nginx (every process probed, the kernel drops the load generator's calls)
 *   plaintap-otlp   the agent exporting OTLP to a local gRPC sink (otlp-count-sink-process.ts:
 *                   a real grpc-js server in its own process that counts records without decoding
 *                   them, so that the receiver's own work is not billed to plaintap)
 *   plaintap-otlp-pid   the same with --pid <nginx worker>: one record per request (nginx's side)
 * The server (BENCH_SERVER, a comma list): nginx (HTTP/1.1 under wrk, the default), nginx-h2
 * (HTTP/2 under h2load), go (Go net/http under wrk), node (Node.js https under wrk); see
 * traced-nginx.ts and traced-go-node.ts.
 * Rounds are interleaved; medians and ratios are printed, with the CPU the tracer (the floor's
 * consumer or the agent) used per request. Run: npm run bench -- traced-app-cost
 */
import { runTracedRounds, type WorkloadSettings } from './traced-app-rounds';
import { TRACED_SERVERS } from './traced-servers';

const settings: WorkloadSettings = {
  seconds: Number(process.env['BENCH_SECONDS'] ?? 5),
  rounds: Number(process.env['BENCH_ROUNDS'] ?? 3),
  connections: Number(process.env['BENCH_CONNECTIONS'] ?? 16),
  streams: Number(process.env['BENCH_STREAMS'] ?? 10),
};

async function main(): Promise<void> {
  const names = (process.env['BENCH_SERVER'] ?? 'nginx').split(',').filter((n) => n !== '');
  for (const name of names) {
    const workload = TRACED_SERVERS[name];
    if (!workload) throw new Error(`BENCH_SERVER ${name}: not one of ${Object.keys(TRACED_SERVERS).join(', ')}`);
    if (names.length > 1) console.log(`\n--- ${name} ---`);
    await runTracedRounds(await workload(settings), settings.seconds, settings.rounds);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
