/**
 * Just enough ELF to place uprobes: the section headers, the dynamic and
 * static symbol tables (defined functions by name), the loadable segments
 * that turn a symbol's address into a file offset, and a bounded search of
 * read-only data (to recognise a TLS library whose symbols are hidden).
 * Reads only the parts it needs, with positioned reads: a 100 MB executable
 * is not loaded whole. 64-bit little-endian files only (what x86_64 and
 * arm64 run); anything else is "not ELF" to the caller.
 */
import fs from 'node:fs';

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHN_UNDEF = 0;
/** Symbol or data sections larger than this are not read (a corrupt header, not a real table). */
const MAX_SECTION_BYTES = 256 * 1024 * 1024;

export interface ElfSymbol {
  readonly name: string;
  /** Virtual address in the file's own address space. */
  readonly address: number;
  readonly size: number;
  /** Where the code is in the file: what a uprobe is attached at. */
  readonly fileOffset: number;
  readonly table: 'dynsym' | 'symtab';
}

interface Section {
  readonly name: string;
  readonly type: number;
  readonly address: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entrySize: number;
}

interface Segment {
  readonly offset: number;
  readonly address: number;
  readonly fileSize: number;
}

export class ElfFile {
  private readonly tables = new Map<string, { entries: Buffer; nameBytes: Buffer }>();

  /** Use ElfFile.open. */
  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly sections: readonly Section[],
    private readonly segments: readonly Segment[],
  ) {}

  /** Opens and reads the headers; undefined when the file is not a 64-bit little-endian ELF or unreadable. */
  static open(file: string): ElfFile | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const elf = readHeaders(file, fd);
      if (elf) return elf;
    } catch {
      // Truncated or odd headers: not something to probe.
    }
    fs.closeSync(fd);
    return undefined;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  hasSection(name: string): boolean {
    return this.sections.some((s) => s.name === name);
  }

  /**
   * Defined functions named in `names`, from .dynsym first; .symtab (often large, in executables)
   * is read only when one of `required` (default: every name) is not in .dynsym.
   */
  findFunctions(names: readonly string[], required: readonly string[] = names): Map<string, ElfSymbol> {
    const found = new Map<string, ElfSymbol>();
    for (const table of ['dynsym', 'symtab'] as const) {
      if (table === 'symtab' && required.every((name) => found.has(name))) break;
      for (const symbol of this.scan(
        table,
        names.filter((name) => !found.has(name)),
      ))
        found.set(symbol.name, symbol);
    }
    return found;
  }

  /** True when one of `markers` occurs in the read-only data (.rodata) of at most `maxBytes`. */
  rodataContains(markers: readonly string[], maxBytes = 64 * 1024 * 1024): boolean {
    const rodata = this.sections.find((s) => s.name === '.rodata');
    if (!rodata || rodata.size > maxBytes) return false;
    const bytes = this.read(rodata.offset, rodata.size);
    return markers.some((marker) => bytes.includes(marker, 0, 'latin1'));
  }

  /**
   * The defined functions of one table among `names`. Names are compared as bytes, and only for
   * symbols whose first four bytes match a wanted name's: no string is made per symbol (an
   * executable's .symtab has 100k of them).
   */
  private scan(table: 'dynsym' | 'symtab', names: readonly string[]): ElfSymbol[] {
    if (names.length === 0) return [];
    const section = this.sections.find((s) => s.type === (table === 'dynsym' ? SHT_DYNSYM : SHT_SYMTAB));
    const strings = section && this.sections[section.link];
    if (!section || !strings || section.entrySize < 24) return [];
    if (section.size > MAX_SECTION_BYTES || strings.size > MAX_SECTION_BYTES) return [];
    const { entries, nameBytes } = this.tableBytes(table, section, strings);
    const byPrefix = new Map<number, Buffer[]>();
    for (const name of names) {
      const bytes = Buffer.from(`${name}\0`, 'latin1');
      const prefix = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), bytes]);
    }
    const found: ElfSymbol[] = [];
    const seen = new Set<string>();
    for (let at = 0; at + 24 <= entries.length; at += section.entrySize) {
      const nameAt = entries.readUInt32LE(at);
      if (nameAt + 4 > nameBytes.length) continue;
      const candidates = byPrefix.get(nameBytes.readUInt32LE(nameAt));
      if (!candidates) continue;
      const type = entries[at + 4]! & 0xf;
      if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
      if (entries.readUInt16LE(at + 6) === SHN_UNDEF) continue;
      const match = candidates.find((c) => nameBytes.compare(c, 0, c.length, nameAt, nameAt + c.length) === 0);
      if (!match) continue;
      const name = match.toString('latin1', 0, match.length - 1);
      if (seen.has(name)) continue;
      const address = Number(entries.readBigUInt64LE(at + 8));
      const fileOffset = this.fileOffset(address);
      if (fileOffset === undefined) continue;
      seen.add(name);
      found.push({ name, address, size: Number(entries.readBigUInt64LE(at + 16)), fileOffset, table });
    }
    return found;
  }

  /** A table's entries and names, read once per file. */
  private tableBytes(
    table: 'dynsym' | 'symtab',
    section: Section,
    strings: Section,
  ): { entries: Buffer; nameBytes: Buffer } {
    let bytes = this.tables.get(table);
    if (!bytes) {
      bytes = { entries: this.read(section.offset, section.size), nameBytes: this.read(strings.offset, strings.size) };
      this.tables.set(table, bytes);
    }
    return bytes;
  }

  private fileOffset(address: number): number | undefined {
    for (const segment of this.segments) {
      if (address >= segment.address && address < segment.address + segment.fileSize)
        return address - segment.address + segment.offset;
    }
    return undefined;
  }

  private read(offset: number, length: number): Buffer {
    return readAt(this.fd, offset, length);
  }
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function readHeaders(file: string, fd: number): ElfFile | undefined {
  const header = readAt(fd, 0, 64);
  if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  // ELFCLASS64, ELFDATA2LSB
  if (header[4] !== 2 || header[5] !== 1) return undefined;
  const phOffset = Number(header.readBigUInt64LE(32));
  const shOffset = Number(header.readBigUInt64LE(40));
  const phSize = header.readUInt16LE(54);
  const phCount = header.readUInt16LE(56);
  const shSize = header.readUInt16LE(58);
  const shCount = header.readUInt16LE(60);
  const shNames = header.readUInt16LE(62);

  const segments: Segment[] = [];
  const ph = readAt(fd, phOffset, phSize * phCount);
  for (let i = 0; i < phCount && (i + 1) * phSize <= ph.length; i++) {
    const at = i * phSize;
    if (ph.readUInt32LE(at) !== PT_LOAD) continue;
    if ((ph.readUInt32LE(at + 4) & 1) === 0) continue; // PF_X: code only
    segments.push({
      offset: Number(ph.readBigUInt64LE(at + 8)),
      address: Number(ph.readBigUInt64LE(at + 16)),
      fileSize: Number(ph.readBigUInt64LE(at + 32)),
    });
  }

  const raw: Omit<Section, 'name'>[] = [];
  const nameOffsets: number[] = [];
  const sh = shCount > 0 && shSize >= 64 ? readAt(fd, shOffset, shSize * shCount) : Buffer.alloc(0);
  for (let i = 0; i < shCount && (i + 1) * shSize <= sh.length; i++) {
    const at = i * shSize;
    nameOffsets.push(sh.readUInt32LE(at));
    raw.push({
      type: sh.readUInt32LE(at + 4),
      address: Number(sh.readBigUInt64LE(at + 16)),
      offset: Number(sh.readBigUInt64LE(at + 24)),
      size: Number(sh.readBigUInt64LE(at + 32)),
      link: sh.readUInt32LE(at + 40),
      entrySize: Number(sh.readBigUInt64LE(at + 56)),
    });
  }
  const nameTable = raw[shNames];
  const names = nameTable && nameTable.size < MAX_SECTION_BYTES ? readAt(fd, nameTable.offset, nameTable.size) : null;
  const sections = raw.map((section, i) => {
    const at = nameOffsets[i] ?? 0;
    const end = names ? names.indexOf(0, at) : -1;
    return { ...section, name: names && end >= at ? names.toString('latin1', at, end) : '' };
  });
  return new ElfFile(file, fd, sections, segments);
}
