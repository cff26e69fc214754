/** Stopping a grpc-js server in a test: in-flight calls get a moment, then the rest are cut. */
import type * as grpc from '@grpc/grpc-js';

/** Resolves once `server` is shut down: gracefully, or forced after `graceMs`. */
export function shutdownGrpcServer(server: grpc.Server, graceMs = 1000): Promise<void> {
  return new Promise<void>((resolve) => {
    // grpc-js does not always call the tryShutdown callback after a forceShutdown: done then too.
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
