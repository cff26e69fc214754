/**
 * The chart's rendered agent pod, read as the kubelet would: the container's args, env and
 * mounts, made real on this host. ConfigMap and Secret volumes become files in a scratch
 * directory, host paths stay the host's, the downward API gives made-up names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './helm';
import { makeTempDir } from './temp-dir';

/** The parts of a pod spec the tests read (the validator checked the whole of it). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet: { path: string; port: string };
}
export interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env: EnvVar[];
  ports: { name: string; containerPort: number; protocol: string }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  securityContext: { capabilities?: { add?: string[] } } & Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  hostPath?: { path: string };
}
export interface PodSpec {
  hostPID: boolean;
  tolerations: unknown[];
  priorityClassName: string;
  terminationGracePeriodSeconds: number;
  containers: Container[];
  volumes: Volume[];
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(found, `no ${kind} ${name ?? ''} among ${objects.map((o) => o.kind).join(', ')}`);
  return found;
}

export function agentContainer(objects: readonly K8sObject[]): { pod: PodSpec; container: Container } {
  const pod = find(objects, 'DaemonSet').spec.template.spec as PodSpec;
  const container = pod.containers.find((c) => c.name === 'plaintap');
  assert.ok(container);
  return { pod, container };
}

/** The downward API's answers for the made-up pod. */
export const DOWNWARD: Readonly<Record<string, string>> = {
  'spec.nodeName': 'node-chart-e2e',
  'metadata.name': 'pt-plaintap-x7k2p',
  'metadata.namespace': 'observability',
  'status.hostIP': '127.0.0.1',
};

export interface Mount {
  /** Directory on this host. */
  readonly source: string;
  /** Where the container sees it. */
  readonly target: string;
  readonly readOnly: boolean;
}

export interface MaterialisedPod {
  /** command + args; on the host (no container), mount paths point into the scratch directory. */
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Every volume mount, for a container runtime. */
  readonly mounts: Mount[];
}

/**
 * `inContainer`: the args keep the container's paths (a runtime mounts `mounts`); otherwise the
 * ConfigMap and Secret mount paths are rewritten, in args and in the mounted files, to where
 * their files are on this host.
 */
export function materialise(
  objects: readonly K8sObject[],
  secrets: Readonly<Record<string, Readonly<Record<string, string>>>>,
  inContainer = false,
): MaterialisedPod {
  const { pod, container } = agentContainer(objects);
  const root = makeTempDir('pod');
  const rewrites: [string, string][] = [];
  const mounts: Mount[] = [];
  for (const mount of container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    assert.ok(volume, `volume ${mount.name}`);
    const readOnly = mount.readOnly ?? false;
    let files: Readonly<Record<string, string>> | undefined;
    if (volume.configMap) files = find(objects, 'ConfigMap', volume.configMap.name).data as Record<string, string>;
    else if (volume.secret) files = secrets[volume.secret.secretName];
    else {
      assert.ok(volume.hostPath, `volume ${mount.name}`);
      mounts.push({ source: volume.hostPath.path, target: mount.mountPath, readOnly });
      continue;
    }
    assert.ok(files, `data for volume ${mount.name}`);
    const dir = path.join(root, mount.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    rewrites.push([mount.mountPath, dir]);
    mounts.push({ source: dir, target: mount.mountPath, readOnly });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  }
  let rewrite = (text: string): string => text;
  if (!inContainer && rewrites.length > 0) {
    // One pass, longest mount path first (/etc/plaintap/otlp-ca before /etc/plaintap).
    rewrites.sort((a, b) => b[0].length - a[0].length);
    const mountPaths = new RegExp(
      rewrites.map(([from]) => `${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`).join('|'),
      'g',
    );
    const targets = new Map(rewrites.map(([from, to]) => [`${from}/`, `${to}/`]));
    rewrite = (text) => text.replace(mountPaths, (match) => targets.get(match)!);
    for (const [, dir] of rewrites) {
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        if (fs.statSync(file).isFile()) fs.writeFileSync(file, rewrite(fs.readFileSync(file, 'utf8')));
      }
    }
  }
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) env[e.name] = DOWNWARD[e.valueFrom.fieldRef.fieldPath]!;
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = secrets[e.valueFrom.secretKeyRef.name]![e.valueFrom.secretKeyRef.key]!;
    else assert.fail(`env ${e.name}: unknown source`);
  }
  const args = [...(container.command ?? []), ...(container.args ?? [])].map(rewrite);
  return { args, env, mounts };
}
