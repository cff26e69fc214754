/**
 * The shell and database sources as target finders of the shared watcher: a file is theirs when
 * it defines their hook functions (the executable of bash, mariadbd/mysqld, postgres, found on
 * start in the standard install paths, at exec, or by the rescan), and it gets their probes.
 */
import fs from 'node:fs';
import type { ElfFile } from './elf-file';
import { optionFiles } from './system-library-dirs';
import {
  plansFor,
  type CandidateFile,
  type NonTlsSourceName,
  type TargetDecision,
  type TargetFinder,
  type TlsLibraryName,
} from './target-finder';

/** The non-TLS sources (labels of `plaintap_attached_targets{library}` too). */
export type SourceName = NonTlsSourceName;

export interface SourceProbe {
  readonly symbol: string;
  readonly program: string;
  readonly retprobe?: boolean;
  /** The program's attach cookie (bpf_get_attach_cookie). */
  readonly cookie?: bigint;
}

export interface SourceFinderSpec {
  readonly name: SourceName;
  /** Checked on start (a function for directories to list). */
  readonly standardPaths: () => readonly string[];
  /** Every one must be defined for the file to be this source's. */
  readonly requiredSymbols: readonly string[];
  readonly probes: readonly SourceProbe[];
  /** Another kind of file of this source (a shared library), with its own probes. */
  readonly library?: {
    readonly name: RegExp;
    readonly requiredSymbols: readonly string[];
    readonly probes: readonly SourceProbe[];
  };
}

export class SourceTargetFinder implements TargetFinder {
  readonly name: SourceName;
  readonly libraries: readonly TlsLibraryName[];

  constructor(
    private readonly spec: SourceFinderSpec,
    private readonly extraPaths: readonly string[] = [],
  ) {
    this.name = spec.name;
    this.libraries = [spec.name];
  }

  startupFiles(): readonly CandidateFile[] {
    const standard = this.spec.standardPaths().filter((file) => fs.existsSync(file));
    return [
      ...optionFiles(this.extraPaths),
      ...standard.map((file) => ({ path: file, mappedPath: file, foundIn: 'system' })),
    ];
  }

  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined {
    const library = this.spec.library;
    const kind = library && library.name.test(baseName(file.mappedPath)) ? library : this.spec;
    const wanted = [...new Set([...kind.requiredSymbols, ...kind.probes.map((p) => p.symbol)])];
    const symbols = elf.findFunctions(wanted, kind.requiredSymbols);
    if (!kind.requiredSymbols.every((symbol) => symbols.has(symbol))) return undefined;
    const plans = plansFor(symbols, kind.probes).map((plan) => {
      const cookie = kind.probes.find((p) => p.program === plan.program && p.symbol === plan.symbol)?.cookie;
      return cookie === undefined ? plan : { ...plan, cookie };
    });
    return { action: 'attach', library: this.spec.name, probes: plans };
  }
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
