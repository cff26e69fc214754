/** Waiting for a server a test started to accept TCP connections on 127.0.0.1 (a condition, not a sleep). */
import net from 'node:net';

/** Whether 127.0.0.1:`port` accepts a connection now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once 127.0.0.1:`port` accepts a connection. Throws when `gone()` gives a reason (the
 * server exited: say why) or after `timeoutMs`, naming `what`.
 */
export async function waitForListener(
  port: number,
  what: string,
  timeoutMs: number,
  gone: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = gone();
    if (reason !== undefined) throw new Error(reason);
    if (await acceptsConnections(port)) return;
    if (Date.now() > deadline) throw new Error(`${what} does not listen on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
