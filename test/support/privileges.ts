/**
 * End-to-end tests need root and kernel BTF. Where they are truly absent the
 * tests skip and say so loudly; CI runs as root on a BTF kernel, so there
 * they always run.
 */
import fs from 'node:fs';

export function kernelTestSkipReason(): string | false {
  const missing: string[] = [];
  if (process.geteuid?.() !== 0) missing.push('root');
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) missing.push('kernel BTF (/sys/kernel/btf/vmlinux)');
  if (missing.length === 0) return false;
  const reason = `SKIPPED: end-to-end kernel tests need ${missing.join(' and ')}`;
  process.stderr.write(`\n${'!'.repeat(reason.length)}\n${reason}\n${'!'.repeat(reason.length)}\n\n`);
  return reason;
}
