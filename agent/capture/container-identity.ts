/**
 * Which container and Kubernetes pod a process belongs to, read from its cgroup path
 * (/proc/PID/cgroup): the formats of containerd, CRI-O, Docker and podman, with the cgroupfs
 * and systemd drivers, on cgroup v1 and v2. Pure: parses the file's text.
 */

export interface ContainerIdentity {
  /** The 64-hex container id (`container.id`). */
  readonly containerId?: string;
  /** The pod's UID from a kubepods cgroup (`k8s.pod.uid`), with dashes. */
  readonly podUid?: string;
}

/**
 * One path segment naming a container: `<id>` (cgroupfs: docker, kubepods, containerd's
 * `default/<id>`), `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`,
 * `libpod-<id>.scope`. `crio-conmon-<id>` is CRI-O's monitor, not the container: no match.
 */
const CONTAINER_SEGMENT = /^(?:(?:docker|cri-containerd|containerd|crio|cri-o|libpod)-)?([0-9a-f]{64})(?:\.scope)?$/;

/** `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid with _>.slice` (systemd). */
const POD_SEGMENT = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;

/** The identity in one cgroup path; a path outside any container gives `{}`. */
export function identityFromCgroupPath(cgroupPath: string): ContainerIdentity {
  let containerId: string | undefined;
  let podUid: string | undefined;
  const kubepods = cgroupPath.includes('kubepods');
  for (const segment of cgroupPath.split('/')) {
    const container = CONTAINER_SEGMENT.exec(segment);
    // The deepest one wins (podman nests `libpod-<id>.scope/container`).
    if (container) containerId = container[1];
    const pod = kubepods ? POD_SEGMENT.exec(segment) : null;
    if (pod) podUid = pod[1]!.replaceAll('_', '-');
  }
  return {
    ...(containerId !== undefined && { containerId }),
    ...(podUid !== undefined && { podUid }),
  };
}

/**
 * The identity in /proc/PID/cgroup (`hierarchy:controllers:path` lines): the cgroup v2 line
 * (`0::`) first, else the first v1 hierarchy that names a container (runtimes place a process
 * alike in every v1 hierarchy).
 */
export function identityFromProcCgroup(text: string): ContainerIdentity {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const cgroupPath = line.slice(second + 1);
    if (line.startsWith('0::')) paths.unshift(cgroupPath);
    else paths.push(cgroupPath);
  }
  for (const cgroupPath of paths) {
    const identity = identityFromCgroupPath(cgroupPath);
    if (identity.containerId !== undefined || identity.podUid !== undefined) return identity;
  }
  return {};
}
