/**
 * The whole-file view of a 64-bit little-endian ELF file that Go targets need (elf-file.ts reads
 * symbols for uprobes): every section (with names) and every loadable segment, reads by virtual
 * address, read on demand from an open file.
 */
import fs from 'node:fs';

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly address: bigint;
  readonly offset: number;
  readonly size: number;
}

export interface ElfSegment {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly fileSize: number;
  readonly memSize: number;
  readonly flags: number;
}

export const PT_LOAD = 1;
export const PF_X = 1;
export const SHT_NOBITS = 8;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

export class ElfImageError extends Error {
  override readonly name = 'ElfImageError';
}

export class ElfImage {
  private constructor(
    private readonly fd: number,
    readonly path: string,
    readonly machine: number,
    readonly sections: readonly ElfSection[],
    readonly segments: readonly ElfSegment[],
  ) {}

  /** Opens and parses the headers; throws ElfImageError for anything but a 64-bit LE ELF file. */
  static open(file: string): ElfImage {
    const fd = fs.openSync(file, 'r');
    try {
      return ElfImage.parse(fd, file);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  private static parse(fd: number, file: string): ElfImage {
    const header = readExactly(fd, 0, 64, file);
    if (header.readUInt32BE(0) !== 0x7f454c46) throw new ElfImageError(`${file}: not an ELF file`);
    if (header[4] !== 2 || header[5] !== 1) throw new ElfImageError(`${file}: not a 64-bit little-endian ELF file`);
    const machine = header.readUInt16LE(18);
    const phoff = Number(header.readBigUInt64LE(32));
    const shoff = Number(header.readBigUInt64LE(40));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const shentsize = header.readUInt16LE(58);
    const shnum = header.readUInt16LE(60);
    const shstrndx = header.readUInt16LE(62);

    const segments: ElfSegment[] = [];
    const ph = readExactly(fd, phoff, phentsize * phnum, file);
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      segments.push({
        type: ph.readUInt32LE(at),
        flags: ph.readUInt32LE(at + 4),
        offset: Number(ph.readBigUInt64LE(at + 8)),
        vaddr: ph.readBigUInt64LE(at + 16),
        fileSize: Number(ph.readBigUInt64LE(at + 32)),
        memSize: Number(ph.readBigUInt64LE(at + 40)),
      });
    }

    const sections: ElfSection[] = [];
    if (shoff !== 0 && shnum !== 0) {
      const sh = readExactly(fd, shoff, shentsize * shnum, file);
      const raw = Array.from({ length: shnum }, (_, i) => {
        const at = i * shentsize;
        return {
          nameOffset: sh.readUInt32LE(at),
          type: sh.readUInt32LE(at + 4),
          address: sh.readBigUInt64LE(at + 16),
          offset: Number(sh.readBigUInt64LE(at + 24)),
          size: Number(sh.readBigUInt64LE(at + 32)),
        };
      });
      const names = raw[shstrndx];
      const strtab = names ? readExactly(fd, names.offset, names.size, file) : Buffer.alloc(0);
      for (const s of raw) {
        const end = strtab.indexOf(0, s.nameOffset);
        sections.push({
          name: strtab.toString('latin1', s.nameOffset, end < 0 ? strtab.length : end),
          type: s.type,
          address: s.address,
          offset: s.offset,
          size: s.size,
        });
      }
    }
    return new ElfImage(fd, file, machine, sections, segments);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for NOBITS sections). */
  readSection(section: ElfSection): Buffer {
    if (section.type === SHT_NOBITS) return Buffer.alloc(0);
    return this.read(section.offset, section.size);
  }

  read(offset: number, length: number): Buffer {
    return readExactly(this.fd, offset, length, this.path);
  }

  /** The file offset holding a virtual address (what a uprobe is attached at), or undefined. */
  fileOffset(vaddr: bigint): number | undefined {
    for (const s of this.segments) {
      if (s.type !== PT_LOAD || vaddr < s.vaddr || vaddr >= s.vaddr + BigInt(s.fileSize)) continue;
      return s.offset + Number(vaddr - s.vaddr);
    }
    return undefined;
  }

  /** length bytes at a virtual address, or undefined when they are not all in the file. */
  readAddress(vaddr: bigint, length: number): Buffer | undefined {
    const offset = this.fileOffset(vaddr);
    if (offset === undefined || this.fileOffset(vaddr + BigInt(Math.max(0, length - 1))) === undefined)
      return undefined;
    return this.read(offset, length);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readExactly(fd: number, offset: number, length: number, file: string): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, offset + done);
    if (n === 0) throw new ElfImageError(`${file}: truncated (wanted ${length} bytes at ${offset})`);
    done += n;
  }
  return buffer;
}
