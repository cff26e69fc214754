/**
 * Go's pclntab: the function table the Go runtime itself needs (stack traces, GC), so the linker
 * keeps it even in binaries built with -ldflags="-s -w" (no symbol table, no DWARF). It gives
 * every function's name and address range. Layouts of Go 1.16/1.17 (magic 0xfffffffa) and
 * 1.18+ (0xfffffff0, 0xfffffff1) are read; older tables are reported as unsupported.
 */
import { PT_LOAD, type ElfImage } from './elf-image';

const MAGIC_GO116 = 0xfffffffa;
const MAGIC_GO118 = 0xfffffff0;
const MAGIC_GO120 = 0xfffffff1;
const PF_W = 2;

export interface GoFunction {
  readonly name: string;
  /** Virtual address of the first instruction. */
  readonly entry: bigint;
  /** Virtual address just past the function (the next function's entry; may include padding). */
  readonly end: bigint;
}

export class PclntabError extends Error {
  override readonly name = 'PclntabError';
}

/** Finds the named functions; names absent from the table are absent from the map. */
export function findGoFunctions(elf: ElfImage, names: readonly string[]): Map<string, GoFunction> {
  const table = findTable(elf);
  if (!table) throw new PclntabError(`${elf.path}: no Go pclntab found`);
  return lookUp(elf, table, new Set(names));
}

interface Table {
  readonly bytes: Buffer;
  /** Virtual address of the table (found in the runtime's moduledata). */
  readonly address: bigint | undefined;
}

function findTable(elf: ElfImage): Table | undefined {
  for (const name of ['.gopclntab', '.data.rel.ro.gopclntab']) {
    const section = elf.section(name);
    if (section) return { bytes: elf.readSection(section), address: section.address };
  }
  // No section headers: look for a plausible header in the read-only segments.
  for (const segment of elf.segments) {
    if (segment.type !== PT_LOAD || segment.flags & PF_W) continue;
    const bytes = elf.read(segment.offset, segment.fileSize);
    for (let at = 0; at + 16 <= bytes.length; at += 4) {
      const magic = bytes.readUInt32LE(at);
      if (magic !== MAGIC_GO120 && magic !== MAGIC_GO118 && magic !== MAGIC_GO116) continue;
      if (bytes[at + 4] === 0 && bytes[at + 5] === 0 && [1, 2, 4].includes(bytes[at + 6] ?? 0) && bytes[at + 7] === 8)
        return { bytes: bytes.subarray(at), address: segment.vaddr + BigInt(at) };
    }
  }
  return undefined;
}

/**
 * runtime.text from the runtime's moduledata (Go 1.18+: its first word points at the pclntab, its
 * `text` field is word 22). Needed where the table header holds 0 (Go 1.22+) and the C linker put
 * its own code at the start of .text (external linking). Undefined when not found or unrelocated.
 */
function moduleDataText(elf: ElfImage, tableAddress: bigint): bigint | undefined {
  const needle = Buffer.alloc(8);
  needle.writeBigUInt64LE(tableAddress);
  // Its section differs between linkers (.noptrdata, .go.module, …): search the writable segments.
  const places = writableSegments(elf);
  for (const place of places) {
    const bytes = elf.read(place.offset, place.size);
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      if (at % 8 !== 0 || at + 8 * 23 > bytes.length) continue;
      const text = bytes.readBigUInt64LE(at + 8 * 22);
      const minpc = bytes.readBigUInt64LE(at + 8 * 20);
      if (text !== 0n && minpc >= text) return text;
    }
  }
  return undefined;
}

function writableSegments(elf: ElfImage): { offset: number; size: number }[] {
  return elf.segments
    .filter((s) => s.type === PT_LOAD && s.flags & PF_W)
    .map((s) => ({ offset: s.offset, size: s.fileSize }));
}

function lookUp(elf: ElfImage, located: Table, wanted: Set<string>): Map<string, GoFunction> {
  const table = located.bytes;
  const magic = table.readUInt32LE(0);
  if (magic !== MAGIC_GO120 && magic !== MAGIC_GO118 && magic !== MAGIC_GO116)
    throw new PclntabError(`${elf.path}: pclntab magic 0x${magic.toString(16)} is from Go < 1.16 (unsupported)`);
  const ptrSize = table[7];
  if (ptrSize !== 8) throw new PclntabError(`${elf.path}: pclntab pointer size ${ptrSize ?? '?'} unsupported`);
  const word = (index: number): number => Number(table.readBigUInt64LE(8 + index * ptrSize));
  const modern = magic !== MAGIC_GO116;
  const nfunc = word(0);
  // Go 1.18+ entries are offsets from runtime.text: the header's copy, else moduledata's, else
  // the start of .text (where the Go linker alone puts it).
  let textStart = 0n;
  if (modern) {
    const fromHeader = BigInt(word(2));
    textStart =
      fromHeader !== 0n
        ? fromHeader
        : ((located.address !== undefined ? moduleDataText(elf, located.address) : undefined) ??
          elf.section('.text')?.address ??
          0n);
    if (textStart === 0n) throw new PclntabError(`${elf.path}: cannot tell where Go's text starts`);
  }
  const funcnameOffset = word(modern ? 3 : 2);
  const pclnOffset = word(modern ? 7 : 6);
  if (pclnOffset >= table.length || funcnameOffset >= table.length || nfunc <= 0)
    throw new PclntabError(`${elf.path}: pclntab header out of range`);

  const found = new Map<string, GoFunction>();
  const functab = table.subarray(pclnOffset);
  const entrySize = modern ? 8 : 16;
  const entryAt = (i: number): bigint =>
    modern ? textStart + BigInt(functab.readUInt32LE(i * entrySize)) : functab.readBigUInt64LE(i * entrySize);
  const funcOffAt = (i: number): number =>
    modern ? functab.readUInt32LE(i * entrySize + 4) : Number(functab.readBigUInt64LE(i * entrySize + 8));
  for (let i = 0; i < nfunc && found.size < wanted.size; i++) {
    // _func: entry (uint32 offset, or uintptr before 1.18), then nameOff int32.
    const nameOff = functab.readInt32LE(funcOffAt(i) + (modern ? 4 : 8));
    const start = funcnameOffset + nameOff;
    const stop = table.indexOf(0, start);
    if (stop < 0) continue;
    const name = table.toString('latin1', start, stop);
    if (!wanted.has(name)) continue;
    found.set(name, { name, entry: entryAt(i), end: entryAt(i + 1) });
  }
  return found;
}
