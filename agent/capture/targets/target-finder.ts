/**
 * What every capture source provides to the shared target watcher: which
 * files to look at on start, and for any file a process maps, whether to
 * attach (which programs at which offsets) or to skip it, and why. The
 * watcher does the rest once for all sources: processes, exec events,
 * containers (/proc/PID/root), one look per file (device + inode).
 */
import type { TlsLibraryByName } from '../events-abi.generated';
import type { ElfFile, ElfSymbol } from './elf-file';

/** Label of `plaintap_attached_targets{library}` and of records' `tls_library` (enum tls_library). */
export type TlsLibraryName = keyof typeof TlsLibraryByName | NonTlsSourceName;
/** The shell and database sources (targets/source-finder.ts): labelled like a library. */
export type NonTlsSourceName = 'bash' | 'mysql' | 'postgres';

export interface CandidateFile {
  /** A path this process can open (through /proc/PID/root for a process's files). */
  readonly path: string;
  /** The path as the process that maps it names it (for name tests). */
  readonly mappedPath: string;
  /** 'system', 'option' or 'pid:<pid>'. */
  readonly foundIn: string;
}

/** One uprobe: a program of the eBPF object at a file offset. */
export interface UprobePlan {
  /** The program's name in bpf/*.bpf.h (e.g. 'ssl_write_entry'). */
  readonly program: string;
  /** Reported as `uprobe:<symbol>` / `uretprobe:<symbol>`. */
  readonly symbol: string;
  readonly offset: number;
  readonly retprobe: boolean;
  /** The attach cookie when the program takes its own (default: the library's enum value). */
  readonly cookie?: bigint;
}

/**
 * What the kernel must know about an attached file besides its probes: `nss-ssl-layer`, the file
 * holds NSS's SSL layer (descriptors whose top layer's code lies in it are TLS).
 */
export type FileRole = 'nss-ssl-layer';

export type TargetDecision =
  | {
      readonly action: 'attach';
      readonly library: TlsLibraryName;
      readonly probes: readonly UprobePlan[];
      readonly role?: FileRole;
    }
  | { readonly action: 'skip'; readonly library: TlsLibraryName; readonly reason: string };

export interface TargetFinder {
  /** For logs. */
  readonly name: string;
  /** The libraries its decisions may name (metrics show each with zero counts too). */
  readonly libraries: readonly TlsLibraryName[];
  /** Files worth a look before any process maps them (system library directories, configured files). */
  startupFiles(): readonly CandidateFile[];
  /**
   * Looks at one ELF file (called once per device + inode): attach, skip with a reason, or
   * undefined when the file is not this source's. Must not throw for odd files.
   */
  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined;
}

/** uprobe plans for the functions of `specs` found in `symbols` (from ElfFile.findFunctions). */
export function plansFor(
  symbols: ReadonlyMap<string, ElfSymbol>,
  specs: readonly { readonly symbol: string; readonly program: string; readonly retprobe?: boolean }[],
): UprobePlan[] {
  const plans: UprobePlan[] = [];
  for (const spec of specs) {
    const symbol = symbols.get(spec.symbol);
    if (symbol)
      plans.push({ program: spec.program, symbol: spec.symbol, offset: symbol.fileOffset, retprobe: !!spec.retprobe });
  }
  return plans;
}
