/**
 * PyPI's grpcio (it bundles BoringSSL with its symbols hidden), fetched by
 * scripts/fetch-grpcio-wheel.sh into the cache and run with Debian's python3.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'scripts', 'fetch-grpcio-wheel.sh');

let site: string | undefined;

/** The importable site directory holding grpc (fetched on first use; quick when cached). */
export function grpcioWheelSite(): string {
  site ??= execFileSync(SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return site;
}

/** The wheel's compiled core: the ELF file that carries BoringSSL. */
export function grpcioCore(siteDir: string): string {
  const dir = path.join(siteDir, 'grpc', '_cython');
  const core = fs.readdirSync(dir).find((name) => name.startsWith('cygrpc.') && name.endsWith('.so'));
  if (!core) throw new Error(`no cygrpc*.so in ${dir}`);
  return path.join(dir, core);
}
