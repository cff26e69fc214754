/**
 * What the kernel side needs, checked before loading so that a missing
 * privilege or feature gives one clear message instead of a verifier dump.
 */
import fs from 'node:fs';

export const BTF_PATH = '/sys/kernel/btf/vmlinux';

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export interface PreflightFacts {
  readonly effectiveCapabilities: bigint;
  readonly btfPresent: boolean;
}

export function readPreflightFacts(): PreflightFacts {
  let effectiveCapabilities = 0n;
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    if (match?.[1]) effectiveCapabilities = BigInt(`0x${match[1]}`);
  } catch {
    // No /proc: treated as no capabilities.
  }
  return { effectiveCapabilities, btfPresent: fs.existsSync(BTF_PATH) };
}

/** Throws a PreflightError naming everything that is missing. */
export function checkPreflight(facts: PreflightFacts = readPreflightFacts()): void {
  const has = (cap: number): boolean => (facts.effectiveCapabilities & (1n << BigInt(cap))) !== 0n;
  const problems: string[] = [];
  const privileged = has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
  if (!privileged) {
    problems.push('missing privilege: run as root, or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN to mount tracefs)');
  }
  if (!facts.btfPresent) {
    problems.push(`missing kernel BTF at ${BTF_PATH}: plaintap needs a kernel built with CONFIG_DEBUG_INFO_BTF=y`);
  }
  if (problems.length > 0) throw new PreflightError(`plaintap cannot capture: ${problems.join('; ')}`);
}
