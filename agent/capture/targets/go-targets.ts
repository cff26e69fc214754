/**
 * The Go source for the shared target watcher: a file is a Go executable when the linker wrote its
 * build information (`.go.buildinfo`, which also gives the Go version); crypto/tls.(*Conn).Write
 * and .Read are located through the pclntab (stripped binaries too) and Read's return
 * instructions found by decoding it. Go executables that cannot be probed are skipped with the
 * reason; Go programs that do not link crypto/tls are not targets at all.
 */
import type { ElfFile } from './elf-file';
import { EM_X86_64, ElfImage } from './elf-image';
import { parseGoVersion, readGoBuildInfo } from './go-buildinfo';
import { findGoFunctions } from './go-pclntab';
import { goOffsetsCookie, goTlsOffsets, OLDEST_SUPPORTED } from './go-struct-offsets';
import type { CandidateFile, TargetDecision, TargetFinder, TlsLibraryName, UprobePlan } from './target-finder';
import { x86LooksLikeGoEntry, x86ReturnAddresses } from './x86-64-returns';

export const GO_TLS_WRITE = 'crypto/tls.(*Conn).Write';
export const GO_TLS_READ = 'crypto/tls.(*Conn).Read';

/** What one Go executable holds for us: probes, or why it cannot be probed. */
export type GoAnalysis =
  | { readonly kind: 'attach'; readonly goVersion: string; readonly probes: readonly UprobePlan[] }
  | { readonly kind: 'skip'; readonly goVersion: string; readonly reason: string };

/** What one executable file holds for us: probes, a reason to skip it, or nothing (not Go). */
export function analyzeGoExecutable(file: string): GoAnalysis | undefined {
  let elf: ElfImage;
  try {
    elf = ElfImage.open(file);
  } catch {
    return undefined;
  }
  try {
    const info = readGoBuildInfo(elf);
    if (!info) return undefined;
    const goVersion = info.goVersion;
    const skip = (reason: string): GoAnalysis => ({ kind: 'skip', goVersion, reason });
    if (elf.machine !== EM_X86_64) return skip('architecture not supported yet (x86-64 only)');
    const version = parseGoVersion(goVersion);
    if (!version) return skip(`unrecognised Go version ${goVersion}`);
    const offsets = goTlsOffsets(version);
    if (!offsets) return skip(`Go older than ${OLDEST_SUPPORTED.major}.${OLDEST_SUPPORTED.minor} (no register ABI)`);
    const functions = findGoFunctions(elf, [GO_TLS_WRITE, GO_TLS_READ]);
    const write = functions.get(GO_TLS_WRITE);
    const read = functions.get(GO_TLS_READ);
    // Most Go programs on a host make no TLS connection: not a target, nothing to report.
    if (!write || !read) return undefined;
    const cookie = goOffsetsCookie(offsets);
    const offsetOf = (vaddr: bigint): number => {
      const offset = elf.fileOffset(vaddr);
      if (offset === undefined) throw new Error(`address 0x${vaddr.toString(16)} is not in the file`);
      return offset;
    };
    const code = elf.readAddress(read.entry, Number(read.end - read.entry));
    if (!code) return skip(`${GO_TLS_READ} is not in the file`);
    const writeStart = elf.readAddress(write.entry, 16);
    if (!x86LooksLikeGoEntry(code) || !writeStart || !x86LooksLikeGoEntry(writeStart))
      return skip('crypto/tls functions do not start like Go code (function table misread)');
    const returns = x86ReturnAddresses(code, read.entry);
    if (returns.length === 0) return skip(`no return instruction found in ${GO_TLS_READ}`);
    const probes: UprobePlan[] = [
      { program: 'go_tls_write_entry', symbol: GO_TLS_WRITE, offset: offsetOf(write.entry), retprobe: false, cookie },
      { program: 'go_tls_read_entry', symbol: GO_TLS_READ, offset: offsetOf(read.entry), retprobe: false, cookie },
      ...returns.map((ret) => ({
        program: 'go_tls_read_return',
        symbol: `${GO_TLS_READ}+0x${(ret - read.entry).toString(16)}(ret)`,
        offset: offsetOf(ret),
        retprobe: false,
        cookie,
      })),
    ];
    return { kind: 'attach', goVersion, probes };
  } catch (error) {
    const info = safeBuildInfo(elf);
    return info ? { kind: 'skip', goVersion: info, reason: (error as Error).message } : undefined;
  } finally {
    elf.close();
  }
}

function safeBuildInfo(elf: ElfImage): string | undefined {
  try {
    return readGoBuildInfo(elf)?.goVersion;
  } catch {
    return undefined;
  }
}

/** The Go finder: examines the files the watcher hands it (executables of new and running processes). */
export class GoTargetFinder implements TargetFinder {
  readonly name = 'go';
  readonly libraries: readonly TlsLibraryName[] = ['go'];

  startupFiles(): readonly CandidateFile[] {
    return [];
  }

  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined {
    // Go's linker always writes section headers (strip keeps them): a cheap test for every library.
    if (!elf.hasSection('.go.buildinfo')) return undefined;
    const analysis = analyzeGoExecutable(file.path);
    if (!analysis) return undefined;
    if (analysis.kind === 'skip')
      return { action: 'skip', library: 'go', reason: `${analysis.goVersion}: ${analysis.reason}` };
    return { action: 'attach', library: 'go', probes: analysis.probes };
  }
}
