/**
 * A passive HPACK decoder (RFC 7541) for one direction of one connection: the static table, the
 * dynamic table with its size updates, literal and Huffman strings.
 *
 * Passive means it may start late: on a connection picked up mid-stream the dynamic table already
 * holds entries the agent never saw. Entries are kept newest first; an index past the known ones
 * is then an *unknown* header (never a guess), and the block says how many it had. Evicting
 * later than the peer did is harmless (indexes count from the newest entry), evicting earlier is
 * not: where the table's real bound is not known, entries are kept up to a memory cap and what
 * lies beyond them stays "unknown", not an error.
 */
import { latin1 } from '../../http1/latin1';
import { huffmanDecode, huffmanDecodedBound } from './huffman-decoder';
import { STATIC_TABLE } from './static-table';

/** Name or value of a header whose dynamic-table entry the agent never saw. */
export const UNKNOWN = '(unknown)';

export type HpackError =
  | 'integer-overflow'
  | 'truncated-block'
  | 'invalid-index'
  | 'invalid-huffman'
  | 'size-update-too-large'
  | 'size-update-misplaced';

export interface HeaderBlockResult {
  /** In order; pseudo-headers included; at most the header-list cap's worth. */
  readonly headers: [name: string, value: string][];
  /** Fields whose name or value referred to a dynamic entry never seen. */
  readonly unknown: number;
  /** Header-list size (RFC 9113: name + value + 32 per field), counted past the cap too. */
  readonly listSize: number;
  /** Fields were left out: the list went past the cap. */
  readonly overCap: boolean;
  /** Set when the block could not be decoded; the table is then forgotten (later references become unknown). */
  readonly error?: HpackError;
}

export interface HpackDecoderOptions {
  /** Largest decoded header list kept (RFC 9113 header-list size). Default 64 KiB. */
  readonly maxHeaderListBytes?: number;
  /** Most dynamic-table bytes (HPACK sizes) kept; a larger table keeps its older entries "unknown". Default 64 KiB. */
  readonly maxTableBytes?: number;
}

const ENTRY_OVERHEAD = 32;

class Entry {
  constructor(
    readonly name: string,
    readonly value: string,
    /** HPACK size; a lower bound when name or value is unknown. */
    readonly size: number,
  ) {}
}

class BlockError extends Error {
  constructor(readonly code: HpackError) {
    super(code);
  }
}

export class HpackDecoder {
  private readonly maxListBytes: number;
  private readonly maxTableBytes: number;
  /** Dynamic table, oldest first (index 1 = the last element). */
  private entries: Entry[] = [];
  private tableSize = 0;
  /** The table's bound as the encoder set it (SETTINGS initial 4096, then size updates). */
  private maxSize = 4096;
  /** Bound of size updates: the decoding side's acknowledged SETTINGS_HEADER_TABLE_SIZE; undefined when not known. */
  settingsLimit: number | undefined = 4096;
  /** Entries older than the known ones may exist (pickup mid-stream, a lost block, a table over the memory cap). */
  private beyondKnownUnknown = false;
  private scratch = new Uint8Array(256);

  constructor(options: HpackDecoderOptions = {}) {
    this.maxListBytes = options.maxHeaderListBytes ?? 64 * 1024;
    this.maxTableBytes = options.maxTableBytes ?? 64 * 1024;
  }

  /** The connection was picked up mid-stream: the table's content and bound are unknown. */
  pickUp(): void {
    this.forget();
    this.settingsLimit = undefined;
    this.maxSize = this.maxTableBytes;
  }

  /** A header block was lost or skipped: whatever the table holds may have moved. */
  forget(): void {
    this.entries = [];
    this.tableSize = 0;
    this.beyondKnownUnknown = true;
  }

  /** Dynamic-table entries currently known (for tests and memory accounting). */
  get knownEntries(): number {
    return this.entries.length;
  }

  decode(block: Uint8Array, start: number, end: number): HeaderBlockResult {
    const headers: [string, string][] = [];
    let unknown = 0;
    let listSize = 0;
    let overCap = false;
    let pos = start;
    let fieldsSeen = false;
    try {
      while (pos < end) {
        const byte = block[pos] as number;
        let name: string;
        let value: string;
        if (byte & 0x80) {
          // Indexed field.
          const [index, next] = this.integer(block, pos, end, 7);
          pos = next;
          if (index === 0) throw new BlockError('invalid-index');
          const entry = this.lookup(index);
          name = entry.name;
          value = entry.value;
          fieldsSeen = true;
        } else if ((byte & 0xe0) === 0x20) {
          // Dynamic table size update: only before the first field of a block.
          const [size, next] = this.integer(block, pos, end, 5);
          pos = next;
          if (fieldsSeen) throw new BlockError('size-update-misplaced');
          if (this.settingsLimit !== undefined && size > this.settingsLimit) {
            throw new BlockError('size-update-too-large');
          }
          this.resize(size);
          continue;
        } else {
          // Literal: with incremental indexing (01), without (0000), never indexed (0001).
          const incremental = (byte & 0xc0) === 0x40;
          const prefix = incremental ? 6 : 4;
          const [index, next] = this.integer(block, pos, end, prefix);
          pos = next;
          if (index === 0) {
            const [text, afterName] = this.string(block, pos, end);
            name = text;
            pos = afterName;
          } else {
            name = this.lookup(index).name;
          }
          const [text, afterValue] = this.string(block, pos, end);
          value = text;
          pos = afterValue;
          fieldsSeen = true;
          if (incremental) this.insert(name, value);
        }
        const isUnknown = name === UNKNOWN || value === UNKNOWN;
        if (isUnknown) unknown++;
        listSize += name.length + value.length + ENTRY_OVERHEAD;
        if (listSize > this.maxListBytes) overCap = true;
        else headers.push([name, value]);
      }
    } catch (error) {
      if (!(error instanceof BlockError)) throw error;
      // The table may now differ from the peer's in ways that cannot be known.
      this.forget();
      return { headers, unknown, listSize, overCap, error: error.code };
    }
    return { headers, unknown, listSize, overCap };
  }

  /** An HPACK integer with an N-bit prefix at `pos`: [value, next position]. */
  private integer(block: Uint8Array, pos: number, end: number, prefixBits: number): [number, number] {
    const mask = (1 << prefixBits) - 1;
    let value = (block[pos] as number) & mask;
    pos++;
    if (value < mask) return [value, pos];
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new BlockError('truncated-block');
      const byte = block[pos++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
      // Nothing legitimate needs more than 2^28: stop before the arithmetic does.
      if (shift > 28) throw new BlockError('integer-overflow');
    }
    if (value > 0x7fffffff) throw new BlockError('integer-overflow');
    return [value, pos];
  }

  /** A string literal at `pos`: [text, next position]. */
  private string(block: Uint8Array, pos: number, end: number): [string, number] {
    if (pos >= end) throw new BlockError('truncated-block');
    const huffman = ((block[pos] as number) & 0x80) !== 0;
    const [length, start] = this.integer(block, pos, end, 7);
    const stop = start + length;
    if (stop > end) throw new BlockError('truncated-block');
    if (!huffman) return [latin1(block, start, stop), stop];
    const bound = huffmanDecodedBound(length);
    if (this.scratch.length < bound) this.scratch = new Uint8Array(Math.max(bound, this.scratch.length * 2));
    const decoded = huffmanDecode(block, start, stop, this.scratch);
    if (decoded < 0) throw new BlockError('invalid-huffman');
    return [latin1(this.scratch, 0, decoded), stop];
  }

  private lookup(index: number): { name: string; value: string } {
    if (index <= STATIC_TABLE.length) {
      const entry = STATIC_TABLE[index - 1] as readonly [string, string];
      return { name: entry[0], value: entry[1] };
    }
    const dynamic = index - STATIC_TABLE.length;
    if (dynamic <= this.entries.length) return this.entries[this.entries.length - dynamic] as Entry;
    if (this.beyondKnownUnknown) return UNKNOWN_ENTRY;
    throw new BlockError('invalid-index');
  }

  private insert(name: string, value: string): void {
    // An unknown part counts as empty: a lower bound, so eviction is never early.
    const size = (name === UNKNOWN ? 0 : name.length) + (value === UNKNOWN ? 0 : value.length) + ENTRY_OVERHEAD;
    const bound = Math.min(this.maxSize, this.maxTableBytes);
    if (size > bound) {
      // RFC 7541 §4.4: an entry larger than the table empties it and is not added.
      this.evictTo(0);
      return;
    }
    this.evictTo(bound - size);
    this.entries.push(new Entry(name, value, size));
    this.tableSize += size;
  }

  private resize(size: number): void {
    this.maxSize = size;
    // A table bound above what is kept: older entries may outlive ours.
    if (size > this.maxTableBytes) this.beyondKnownUnknown = true;
    this.evictTo(Math.min(size, this.maxTableBytes));
    if (size === 0) this.beyondKnownUnknown = false;
  }

  private evictTo(limit: number): void {
    let drop = 0;
    while (this.tableSize > limit && drop < this.entries.length) {
      this.tableSize -= (this.entries[drop] as Entry).size;
      drop++;
    }
    if (drop === 0) return;
    this.entries.splice(0, drop);
    // Known entries only go once every older (unknown) one has gone, when the bound is the peer's own.
    if (this.maxSize <= this.maxTableBytes && this.settingsLimit !== undefined) this.beyondKnownUnknown = false;
  }
}

const UNKNOWN_ENTRY = { name: UNKNOWN, value: UNKNOWN } as const;
