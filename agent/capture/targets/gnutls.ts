/**
 * GnuTLS: any ELF file defining gnutls_record_send and gnutls_record_recv
 * (libgnutls.so.30, or a program that links it statically). Sessions are
 * keyed like SSL objects; the default transport's syscalls are nested in the
 * record calls, so fd and tuple come as for OpenSSL.
 */
import type { ElfFile } from './elf-file';
import { systemLibraries } from './system-library-dirs';
import { plansFor, type CandidateFile, type TargetDecision, type TargetFinder } from './target-finder';

const LIBGNUTLS_NAME = /^libgnutls\.so(\.\d+)*$/;

const PROBES = [
  { symbol: 'gnutls_record_send', program: 'gnutls_record_send_entry' },
  { symbol: 'gnutls_record_recv', program: 'gnutls_record_recv_entry' },
  { symbol: 'gnutls_record_recv', program: 'gnutls_record_recv_return', retprobe: true },
  { symbol: 'gnutls_handshake', program: 'gnutls_handshake_entry' },
  { symbol: 'gnutls_transport_set_int2', program: 'gnutls_transport_set_int2_entry' },
  { symbol: 'gnutls_deinit', program: 'gnutls_deinit_entry' },
] as const;
const SYMBOLS = [...new Set(PROBES.map((p) => p.symbol))];
const REQUIRED = ['gnutls_record_send', 'gnutls_record_recv'];

export class GnuTlsTargetFinder implements TargetFinder {
  readonly name = 'gnutls';
  readonly libraries = ['gnutls'] as const;

  constructor(private readonly libraryDirs?: readonly string[]) {}

  startupFiles(): readonly CandidateFile[] {
    return systemLibraries(LIBGNUTLS_NAME, this.libraryDirs);
  }

  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined {
    const probes = plansFor(elf.findFunctions(SYMBOLS, REQUIRED), PROBES);
    if (REQUIRED.every((symbol) => probes.some((p) => p.symbol === symbol)))
      return { action: 'attach', library: 'gnutls', probes };
    if (LIBGNUTLS_NAME.test(file.mappedPath.slice(file.mappedPath.lastIndexOf('/') + 1)))
      return {
        action: 'skip',
        library: 'gnutls',
        reason: 'named like libgnutls but defines no gnutls_record_send/recv',
      };
    return undefined;
  }
}
