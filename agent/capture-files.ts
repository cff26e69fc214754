/**
 * The outputs that are files of secrets for Wireshark, fed straight from the kernel records:
 * the key log (`--keylog`) and the pcapng (`--pcapng`). TLS secret and packet records go here,
 * never to the processor: they are not byte streams of a connection.
 */
import type { CapturedEvent } from './capture/captured-event';
import { KeyLogBook } from './export/keylog/key-log-book';
import type { KeyLogFile } from './export/keylog/key-log-file';
import type { PcapngFile } from './export/pcap/pcapng-file';

export interface CaptureFilesStats {
  /** Secret records received, and those that gave no key line. */
  readonly secretRecords: number;
  readonly unusableSecretRecords: number;
  /** Distinct key lines (each session's secrets once). */
  readonly keyLines: number;
  /** Lines written to the key log file. */
  readonly keylogLines: number;
  /** Packets written to the pcapng, and packets received for it that could not be written, by reason. */
  readonly packetsWritten: number;
  readonly packetsDropped: Readonly<Record<string, number>>;
}

export class CaptureFiles {
  private readonly book = new KeyLogBook();

  constructor(
    readonly keylog: KeyLogFile | undefined,
    readonly pcap: PcapngFile | undefined,
  ) {}

  /** Takes the secret and packet records out of a batch; returns the rest, for the processor. */
  route(events: CapturedEvent[]): CapturedEvent[] {
    let rest: CapturedEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as CapturedEvent;
      if (event.kind === 'tls-secret') {
        const text = this.book.newLines(event);
        this.keylog?.write(text);
        this.pcap?.writeSecrets(text);
      } else if (event.kind === 'packet') {
        this.pcap?.addPacket(event);
      } else {
        if (rest) rest.push(event);
        continue;
      }
      // The first special record: the events before it are the processor's.
      rest ??= events.slice(0, i);
    }
    return rest ?? events;
  }

  stats(): CaptureFilesStats {
    const pcap = this.pcap?.stats;
    return {
      secretRecords: this.book.stats.sessions,
      unusableSecretRecords: this.book.stats.unusable,
      keyLines: this.book.stats.lines,
      keylogLines: this.keylog?.lines ?? 0,
      packetsWritten: pcap?.packetsWritten ?? 0,
      packetsDropped: pcap ? { unknown_interface: pcap.unknownInterface } : {},
    };
  }

  close(): void {
    this.keylog?.close();
    this.pcap?.close();
  }
}
