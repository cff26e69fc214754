/**
 * OpenSSL and BoringSSL: any ELF file that defines SSL_read and SSL_write in
 * its dynamic or static symbol table — libssl.so*, but also executables that
 * link libssl statically (/usr/bin/node, a Go or Rust program with its own
 * copy). Node.js is told apart (library `nodejs`): it does TLS into memory
 * BIOs, and the kernel side learns its sockets from the syscalls next to the
 * SSL calls rather than inside them (docs/nodejs.md). A file that carries the library with its symbols hidden (Python
 * grpcio's bundled BoringSSL) cannot be probed by name: it is reported as
 * skipped, with the reason.
 */
import type { ElfFile } from './elf-file';
import { optionFiles, systemLibraries } from './system-library-dirs';
import { plansFor, type CandidateFile, type TargetDecision, type TargetFinder } from './target-finder';

const LIBSSL_NAME = /^libssl\.so(\.\d+)*$/;

/** Writes are complete at entry (entry-only); reads need the return. */
const PROBES = [
  { symbol: 'SSL_write', program: 'ssl_write_entry' },
  { symbol: 'SSL_write_ex', program: 'ssl_write_ex_entry' },
  { symbol: 'SSL_read', program: 'ssl_read_entry' },
  { symbol: 'SSL_read', program: 'ssl_read_return', retprobe: true },
  { symbol: 'SSL_read_ex', program: 'ssl_read_ex_entry' },
  { symbol: 'SSL_read_ex', program: 'ssl_read_return', retprobe: true },
  { symbol: 'SSL_do_handshake', program: 'ssl_do_handshake_entry' },
  { symbol: 'SSL_set_fd', program: 'ssl_set_fd_entry' },
  { symbol: 'SSL_free', program: 'ssl_free_entry' },
] as const;

/** Memory-BIO programs (Node.js) retry failed writes with the same bytes: their writes are emitted at return. */
const MEMORY_BIO_PROBES = [
  { symbol: 'SSL_write', program: 'ssl_write_return', retprobe: true },
  { symbol: 'SSL_write_ex', program: 'ssl_write_return', retprobe: true },
] as const;

const PROBE_SYMBOLS = [...new Set(PROBES.map((p) => p.symbol))];

/** A BoringSSL-only function: tells the two apart for the `library` label. */
const BORINGSSL_ONLY = 'SSL_CTX_set_grease_enabled';
/** Node-API's registration entry point: present in every Node.js executable (and libnode). */
const NODEJS_ONLY = 'napi_module_register';

/** Source paths compiled into the library's error and assertion strings. */
const HIDDEN_BUNDLE_MARKERS: readonly { readonly marker: string; readonly library: 'openssl' | 'boringssl' }[] = [
  { marker: '/boringssl', library: 'boringssl' },
  { marker: 'ssl/ssl_lib.c\0', library: 'openssl' },
];

export interface OpenSslFinderOptions {
  /** Extra files to look at on start (--openssl-path). */
  readonly extraPaths?: readonly string[];
  readonly libraryDirs?: readonly string[];
}

export class OpenSslTargetFinder implements TargetFinder {
  readonly name = 'openssl';
  readonly libraries = ['openssl', 'boringssl', 'nodejs'] as const;

  constructor(private readonly options: OpenSslFinderOptions = {}) {}

  startupFiles(): readonly CandidateFile[] {
    return [...optionFiles(this.options.extraPaths ?? []), ...systemLibraries(LIBSSL_NAME, this.options.libraryDirs)];
  }

  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined {
    const symbols = elf.findFunctions([...PROBE_SYMBOLS, BORINGSSL_ONLY, NODEJS_ONLY], ['SSL_read', 'SSL_write']);
    const library = symbols.has(NODEJS_ONLY) ? 'nodejs' : symbols.has(BORINGSSL_ONLY) ? 'boringssl' : 'openssl';
    const probes = plansFor(symbols, library === 'nodejs' ? [...PROBES, ...MEMORY_BIO_PROBES] : PROBES);
    const has = (symbol: string): boolean => probes.some((p) => p.symbol === symbol);
    if (has('SSL_read') && has('SSL_write')) return { action: 'attach', library, probes };
    if (probes.length > 0) {
      return { action: 'skip', library, reason: 'defines some SSL_* functions but not SSL_read and SSL_write' };
    }
    // No symbols: does it carry the library anyway? Only worth a look for code others load.
    if (LIBSSL_NAME.test(baseName(file.mappedPath))) {
      return { action: 'skip', library: 'openssl', reason: 'named like libssl but defines no SSL_read/SSL_write' };
    }
    const bundled = HIDDEN_BUNDLE_MARKERS.find((m) => elf.rodataContains([m.marker]));
    if (bundled) {
      return {
        action: 'skip',
        library: bundled.library,
        reason: `carries ${bundled.library === 'boringssl' ? 'BoringSSL' : 'OpenSSL'} with its symbols hidden (no SSL_read/SSL_write to probe)`,
      };
    }
    return undefined;
  }
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}
