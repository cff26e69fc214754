/**
 * Go's build information: the linker writes a `.go.buildinfo` block (magic "\xff Go buildinf:")
 * into every Go executable, stripped or not. From it we learn that a file is a Go program and
 * which Go version built it. Two layouts exist: Go 1.18+ stores the strings inline (flag bit 2),
 * older versions store pointers to Go string headers.
 */
import { PT_LOAD, type ElfImage } from './elf-image';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE_STRINGS = 2;
const PF_W = 2;

export interface GoBuildInfo {
  /** e.g. "go1.26.8"; may carry suffixes such as "go1.22.0 X:nocoverageredesign". */
  readonly goVersion: string;
  /** The main module path when present ("" otherwise). */
  readonly mainModule: string;
}

export interface GoVersion {
  readonly major: number;
  readonly minor: number;
}

/** The build information of a Go executable, or undefined when the file is not one. */
export function readGoBuildInfo(elf: ElfImage): GoBuildInfo | undefined {
  const block = findBlock(elf);
  if (!block) return undefined;
  const ptrSize = block[14];
  const flags = block[15] ?? 0;
  if (ptrSize !== 4 && ptrSize !== 8) return undefined;
  if (flags & FLAG_BIG_ENDIAN) return undefined; // only little-endian targets are supported
  let version: string | undefined;
  let modinfo: string;
  if (flags & FLAG_INLINE_STRINGS) {
    const first = readVarintString(block, HEADER_BYTES);
    if (!first) return undefined;
    version = first.value;
    modinfo = readVarintString(block, first.next)?.value ?? '';
  } else {
    version = readStringAt(elf, readPointer(block, 16, ptrSize), ptrSize);
    modinfo = readStringAt(elf, readPointer(block, 16 + ptrSize, ptrSize), ptrSize) ?? '';
  }
  if (!version) return undefined;
  return { goVersion: version, mainModule: /^mod\t(\S+)/m.exec(modinfo)?.[1] ?? '' };
}

/** "go1.21.3" → {1, 21}; undefined for development builds ("devel +abc") and the like. */
export function parseGoVersion(version: string): GoVersion | undefined {
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function goVersionAtLeast(version: GoVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** The section when the file has section headers, else a search of the writable segments (16-aligned). */
function findBlock(elf: ElfImage): Buffer | undefined {
  const section = elf.section('.go.buildinfo');
  if (section) {
    const bytes = elf.readSection(section);
    return bytes.subarray(0, MAGIC.length).equals(MAGIC) ? bytes : undefined;
  }
  for (const segment of elf.segments) {
    if (segment.type !== PT_LOAD || !(segment.flags & PF_W)) continue;
    const bytes = elf.read(segment.offset, Math.min(segment.fileSize, 1 << 20));
    for (let at = bytes.indexOf(MAGIC); at >= 0; at = bytes.indexOf(MAGIC, at + 1)) {
      if (at % 16 === 0) return bytes.subarray(at, Math.min(bytes.length, at + 64 * 1024));
    }
  }
  return undefined;
}

function readVarintString(bytes: Buffer, at: number): { value: string; next: number } | undefined {
  let length = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined || shift > 28) return undefined;
    length |= (byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  if (at + length > bytes.length) return undefined;
  return { value: bytes.toString('utf8', at, at + length), next: at + length };
}

function readPointer(bytes: Buffer, at: number, ptrSize: number): bigint {
  if (at + ptrSize > bytes.length) return 0n;
  return ptrSize === 8 ? bytes.readBigUInt64LE(at) : BigInt(bytes.readUInt32LE(at));
}

/** A Go string header (data pointer, length) at address, then its bytes. */
function readStringAt(elf: ElfImage, address: bigint, ptrSize: number): string | undefined {
  if (address === 0n) return undefined;
  const header = elf.readAddress(address, 2 * ptrSize);
  if (!header) return undefined;
  const data = readPointer(header, 0, ptrSize);
  const length = Number(readPointer(header, ptrSize, ptrSize));
  if (length <= 0 || length > 1 << 20) return undefined;
  return elf.readAddress(data, length)?.toString('utf8');
}
