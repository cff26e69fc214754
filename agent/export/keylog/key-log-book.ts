/**
 * Each session's key lines once: the kernel reads a session's secrets at the end of its
 * handshake and again when it sees the first data of an SSL object it has forgotten; both
 * outputs (key log file, pcapng) ask this book which lines are new. Bounded memory.
 */
import type { TlsSecretEvent } from '../../capture/captured-event';
import { formatKeyLogLine, keyLogLines } from './key-log-lines';

const MAX_REMEMBERED = 65536;

export interface KeyLogBookStats {
  /** Secret records received from the kernel. */
  sessions: number;
  /** Lines that were new. */
  lines: number;
  /** Records that gave no line (an unknown TLS 1.3 suite, secrets not set). */
  unusable: number;
}

export class KeyLogBook {
  readonly stats: KeyLogBookStats = { sessions: 0, lines: 0, unusable: 0 };
  private seen = new Set<string>();

  /** The lines of this record not given before, as key log text (possibly empty). */
  newLines(event: TlsSecretEvent): string {
    this.stats.sessions++;
    const lines = keyLogLines(event);
    if (lines.length === 0) this.stats.unusable++;
    let text = '';
    for (const line of lines) {
      const key = `${line.label} ${line.clientRandom}`;
      if (this.seen.has(key)) continue;
      if (this.seen.size >= MAX_REMEMBERED) this.seen = new Set();
      this.seen.add(key);
      this.stats.lines++;
      text += formatKeyLogLine(line);
    }
    return text;
  }
}
