/**
 * One keep-alive TLS connection of the benchmarks' load generators (Node's TLS, which plaintap
 * does not capture: only the server's side of the connection is traced). One request at a
 * time; responses are framed by Content-Length, as nginx's small answers are.
 */
import tls from 'node:tls';

const HEADER_END = '\r\n\r\n';

export class KeepAliveTlsConnection {
  private received = '';
  private waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;

  private constructor(
    readonly socket: tls.TLSSocket,
    private readonly request: string,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  /** Connects to 127.0.0.1:port (certificate not checked: the benchmarks' own self-signed one). */
  static open(port: number, path: string): Promise<KeepAliveTlsConnection> {
    const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        socket.off('error', reject);
        resolve(new KeepAliveTlsConnection(socket, request));
      });
      socket.once('error', reject);
    });
  }

  get busy(): boolean {
    return this.waiting !== null;
  }

  /** Sends one GET and resolves when its whole response arrived. */
  get(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.received = '';
      this.socket.write(this.request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.received += chunk;
    const headEnd = this.received.indexOf(HEADER_END);
    if (headEnd < 0) return;
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(this.received.slice(0, headEnd))?.[1] ?? 0);
    if (this.received.length < headEnd + HEADER_END.length + length) return;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve();
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}
