/**
 * NSS/NSPR: programs do TLS through NSPR's generic I/O calls (PR_Write, PR_Read, … in
 * libnspr4.so) on descriptors whose top layer is NSS's SSL layer (libssl3.so). The NSPR calls
 * are probed, and the kernel tells TLS descriptors from files, pipes and plain sockets
 * (bpf/tls_nss.bpf.h): those SSL_ImportFD returned, and those whose top layer's code lies in a
 * file registered as NSS's SSL library — this finder's libssl3.so decisions carry that role.
 * A file defining both sets (an NSS build with NSPR and SSL folded into one library) gets both.
 */
import type { ElfFile } from './elf-file';
import { systemLibraries } from './system-library-dirs';
import { plansFor, type CandidateFile, type TargetDecision, type TargetFinder, type UprobePlan } from './target-finder';

const NSS_LIBRARY_NAME = /^lib(nspr4|ssl3)\.so$/;

/** NSPR's I/O calls: writes are emitted at their return (a write that would block is retried). */
const NSPR_PROBES = [
  { symbol: 'PR_Write', program: 'nss_write_entry' },
  { symbol: 'PR_Write', program: 'nss_write_return', retprobe: true },
  { symbol: 'PR_Send', program: 'nss_write_entry' },
  { symbol: 'PR_Send', program: 'nss_write_return', retprobe: true },
  { symbol: 'PR_Writev', program: 'nss_writev_entry' },
  { symbol: 'PR_Writev', program: 'nss_writev_return', retprobe: true },
  { symbol: 'PR_Read', program: 'nss_read_entry' },
  { symbol: 'PR_Read', program: 'nss_read_return', retprobe: true },
  { symbol: 'PR_Recv', program: 'nss_read_entry' },
  { symbol: 'PR_Recv', program: 'nss_read_return', retprobe: true },
  { symbol: 'PR_Accept', program: 'nss_accept_return', retprobe: true },
  { symbol: 'PR_Close', program: 'nss_close_entry' },
] as const;
const NSPR_REQUIRED = ['PR_Write', 'PR_Read', 'PR_Close'];

/** NSS's SSL layer: the descriptors it makes TLS, and its handshake (teaches the socket early). */
const SSL_PROBES = [
  { symbol: 'SSL_ImportFD', program: 'nss_import_fd_return', retprobe: true },
  { symbol: 'SSL_ForceHandshake', program: 'nss_force_handshake_entry' },
] as const;
const SSL_REQUIRED = ['SSL_ImportFD'];

const SYMBOLS = [...new Set([...NSPR_PROBES, ...SSL_PROBES].map((p) => p.symbol))];

export class NssTargetFinder implements TargetFinder {
  readonly name = 'nss';
  readonly libraries = ['nss'] as const;

  constructor(private readonly libraryDirs?: readonly string[]) {}

  startupFiles(): readonly CandidateFile[] {
    return systemLibraries(NSS_LIBRARY_NAME, this.libraryDirs);
  }

  examine(file: CandidateFile, elf: ElfFile): TargetDecision | undefined {
    const symbols = elf.findFunctions(SYMBOLS, ['PR_Write', 'SSL_ImportFD']);
    const nspr = NSPR_REQUIRED.every((symbol) => symbols.has(symbol));
    const ssl = SSL_REQUIRED.every((symbol) => symbols.has(symbol));
    if (nspr || ssl) {
      const probes: UprobePlan[] = [
        ...(nspr ? plansFor(symbols, NSPR_PROBES) : []),
        ...(ssl ? plansFor(symbols, SSL_PROBES) : []),
      ];
      return ssl
        ? { action: 'attach', library: 'nss', probes, role: 'nss-ssl-layer' }
        : { action: 'attach', library: 'nss', probes };
    }
    if (NSS_LIBRARY_NAME.test(file.mappedPath.slice(file.mappedPath.lastIndexOf('/') + 1))) {
      return {
        action: 'skip',
        library: 'nss',
        reason: 'named like libnspr4/libssl3 but defines neither PR_Write/PR_Read/PR_Close nor SSL_ImportFD',
      };
    }
    return undefined;
  }
}
