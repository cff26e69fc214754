/**
 * `plaintap keylog FILE` / `--keylog FILE`: every captured TLS session's secrets, appended as
 * soon as they exist, in the NSS key log format (`tshark -o tls.keylog_file:FILE`). The file
 * decrypts whatever traffic it matches: 0600, appended to only if already 0600 and ours.
 * Synchronous writes: a line is in the file when `write` returns.
 */
import fs from 'node:fs';
import { openSecretFile } from '../secret-file';

export class KeyLogFile {
  readonly appended: boolean;
  private readonly fd: number;
  private closed = false;
  lines = 0;

  constructor(readonly file: string) {
    const opened = openSecretFile(file, 'key log file');
    this.fd = opened.fd;
    this.appended = opened.appended;
  }

  /** `text`: whole lines from KeyLogBook. */
  write(text: string): void {
    if (text === '' || this.closed) return;
    fs.writeSync(this.fd, text);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lines++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
