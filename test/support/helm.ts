/**
 * Helm and the Kubernetes schema validator, both built once from the Go module proxy and cached
 * in ~/.cache/plaintap by scripts/build-helm.sh and scripts/build-k8s-validate.sh (CI builds them
 * in `scripts/setup --test`; each answers at once when its cached build is current).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CHART_DIR = path.join(REPO_ROOT, 'charts', 'plaintap');

function cachedTool(script: string): string {
  const env = { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/local/go/bin` };
  const built = spawnSync(path.join(REPO_ROOT, 'scripts', script), { encoding: 'utf8', env });
  const binary = built.stdout.trim().split('\n').pop() ?? '';
  if (built.status !== 0 || !existsSync(binary))
    throw new Error(`scripts/${script} failed (exit ${built.status}):\n${built.stderr}`);
  return binary;
}

let helmPath: string | undefined;
let validatorPath: string | undefined;

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): Run {
  helmPath ??= cachedTool('build-helm.sh');
  const run = spawnSync(helmPath, args, { encoding: 'utf8', cwd: CHART_DIR });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `helm template` of the chart; throws with helm's message when it fails. */
export function helmTemplate(args: readonly string[] = []): string {
  const run = helm(['template', 'pt', '.', '--namespace', 'observability', ...args]);
  if (run.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

/** Strict decode of every object into the Kubernetes API's Go types (test/tools/k8s-validate). */
export function validateManifests(manifests: string): Run {
  validatorPath ??= cachedTool('build-k8s-validate.sh');
  const run = spawnSync(validatorPath, [], { input: manifests, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

export function parseManifests(manifests: string): K8sObject[] {
  return YAML.parseAllDocuments(manifests)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}
