/**
 * The record file: raw kernel batches exactly as the native reader delivered
 * them, so that a replay runs the same decode → processor → protocols →
 * export path offline.
 *
 * Layout (little endian):
 *   header  magic "PLAINTAP" | u32 file version | u32 record ABI version | i64 wall-clock offset ns
 *   batch*  u32 byte length | u32 reserved (0) | u64 monotonic ns when read | bytes (the batch)
 * The file holds plaintext: it is created 0600.
 */
import fs from 'node:fs';
import { ABI_VERSION } from './events-abi.generated';

export const RECORD_FILE_MAGIC = 'PLAINTAP';
export const RECORD_FILE_VERSION = 1;
export const RECORD_FILE_HEADER_SIZE = 24;
const BATCH_HEADER_SIZE = 16;

export class RecordFileError extends Error {
  override readonly name = 'RecordFileError';
}

export interface RecordFileHeader {
  readonly fileVersion: number;
  readonly abiVersion: number;
  /** Adds to a kernel timestamp to give wall-clock ns at capture time. */
  readonly wallClockOffsetNs: bigint;
}

export interface RecordedBatch {
  readonly monotonicNs: bigint;
  readonly bytes: Buffer;
}

/** Appends batches to a new file (0600). Synchronous: a batch is on disk when `write` returns. */
export class RecordFileWriter {
  private readonly fd: number;
  private readonly batchHeader = Buffer.alloc(BATCH_HEADER_SIZE);
  batches = 0;
  bytes = 0;

  constructor(
    readonly file: string,
    wallClockOffsetNs: bigint,
  ) {
    try {
      this.fd = fs.openSync(file, 'w', 0o600);
      fs.fchmodSync(this.fd, 0o600); // an existing file keeps its mode on open
    } catch (error) {
      throw new RecordFileError(`cannot create record file ${file}: ${(error as Error).message}`);
    }
    const header = Buffer.alloc(RECORD_FILE_HEADER_SIZE);
    header.write(RECORD_FILE_MAGIC, 0, 'latin1');
    header.writeUInt32LE(RECORD_FILE_VERSION, 8);
    header.writeUInt32LE(ABI_VERSION, 12);
    header.writeBigInt64LE(wallClockOffsetNs, 16);
    fs.writeSync(this.fd, header);
  }

  write(batch: Uint8Array, monotonicNs: bigint = process.hrtime.bigint()): void {
    this.batchHeader.writeUInt32LE(batch.byteLength, 0);
    this.batchHeader.writeUInt32LE(0, 4);
    this.batchHeader.writeBigUInt64LE(monotonicNs, 8);
    fs.writeSync(this.fd, this.batchHeader);
    fs.writeSync(this.fd, batch);
    this.batches++;
    this.bytes += batch.byteLength;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Reads a whole record file; a bad header is an error, a cut last batch is reported with its offset. */
export class RecordFileReader {
  readonly header: RecordFileHeader;
  private readonly data: Buffer;

  constructor(readonly file: string) {
    try {
      this.data = fs.readFileSync(file);
    } catch (error) {
      throw new RecordFileError(`cannot read record file ${file}: ${(error as Error).message}`);
    }
    if (this.data.length < RECORD_FILE_HEADER_SIZE || this.data.toString('latin1', 0, 8) !== RECORD_FILE_MAGIC) {
      throw new RecordFileError(`${file} is not a plaintap record file (no PLAINTAP header)`);
    }
    this.header = {
      fileVersion: this.data.readUInt32LE(8),
      abiVersion: this.data.readUInt32LE(12),
      wallClockOffsetNs: this.data.readBigInt64LE(16),
    };
    if (this.header.fileVersion !== RECORD_FILE_VERSION) {
      throw new RecordFileError(
        `${file}: record file version ${this.header.fileVersion} is not supported (this plaintap reads ${RECORD_FILE_VERSION})`,
      );
    }
    if (this.header.abiVersion !== ABI_VERSION) {
      throw new RecordFileError(
        `${file}: recorded with record ABI ${this.header.abiVersion}, this plaintap decodes ABI ${ABI_VERSION}`,
      );
    }
  }

  /** The batches in order. Throws RecordFileError at a truncated or corrupt batch, after yielding the ones before it. */
  *batches(): Generator<RecordedBatch> {
    let offset = RECORD_FILE_HEADER_SIZE;
    while (offset < this.data.length) {
      if (offset + BATCH_HEADER_SIZE > this.data.length) {
        throw new RecordFileError(`${this.file} is truncated: a batch header at byte ${offset} is cut short`);
      }
      const length = this.data.readUInt32LE(offset);
      if (this.data.readUInt32LE(offset + 4) !== 0) {
        throw new RecordFileError(`${this.file} is corrupt at byte ${offset}: bad batch header`);
      }
      const monotonicNs = this.data.readBigUInt64LE(offset + 8);
      const start = offset + BATCH_HEADER_SIZE;
      if (start + length > this.data.length) {
        throw new RecordFileError(
          `${this.file} is truncated: the batch at byte ${offset} needs ${length} bytes, ${this.data.length - start} are left`,
        );
      }
      yield { monotonicNs, bytes: this.data.subarray(start, start + length) };
      offset = start + length;
    }
  }
}
