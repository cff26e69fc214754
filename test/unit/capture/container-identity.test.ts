import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ContainerIdentityCache } from '../../../agent/capture/container-identity-cache';
import { identityFromCgroupPath, identityFromProcCgroup } from '../../../agent/capture/container-identity';
import { makeTempDir } from '../../support/temp-dir';

const ID = '3f2a9c4be1d04f6b8a7c5d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a';
const UID = '8c1f2b3a-4d5e-4f60-9a1b-2c3d4e5f6a7b';
const UID_ = UID.replaceAll('-', '_');

describe('container identity from cgroup paths', () => {
  const cases: [string, string, { containerId?: string; podUid?: string }][] = [
    ['containerd, cgroupfs driver', `/kubepods/burstable/pod${UID}/${ID}`, { containerId: ID, podUid: UID }],
    [
      'containerd, systemd driver',
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`,
      { containerId: ID, podUid: UID },
    ],
    [
      'CRI-O, systemd driver (besteffort)',
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`,
      { containerId: ID, podUid: UID },
    ],
    ['CRI-O, cgroupfs driver (guaranteed)', `/kubepods/pod${UID}/crio-${ID}`, { containerId: ID, podUid: UID }],
    [
      "CRI-O's conmon is not the container",
      `/kubepods.slice/kubepods-pod${UID_}.slice/crio-conmon-${ID}.scope`,
      { podUid: UID },
    ],
    ['Docker, cgroupfs (v1)', `/docker/${ID}`, { containerId: ID }],
    ['Docker, systemd', `/system.slice/docker-${ID}.scope`, { containerId: ID }],
    ['podman, root', `/machine.slice/libpod-${ID}.scope`, { containerId: ID }],
    [
      'podman, rootless with its cgroup namespace leaf',
      `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
      { containerId: ID },
    ],
    ['containerd without Kubernetes (ctr, namespace default)', `/default/${ID}`, { containerId: ID }],
    [
      'seen from inside another cgroup namespace',
      `/../../kubepods/besteffort/pod${UID}/${ID}`,
      { containerId: ID, podUid: UID },
    ],
    ['a pod-level process (no container)', `/kubepods/burstable/pod${UID}`, { podUid: UID }],
    ['a host process', '/user.slice/user-0.slice/session-3.scope', {}],
    ['not kubepods: a "pod" segment is not a pod', `/system.slice/pod${UID}`, {}],
    ['root', '/', {}],
  ];
  for (const [name, cgroupPath, expected] of cases) {
    it(name, () => assert.deepEqual(identityFromCgroupPath(cgroupPath), expected));
  }
});

describe('container identity from /proc/PID/cgroup', () => {
  it('prefers the cgroup v2 line on a hybrid host', () => {
    const text = `12:cpu,cpuacct:/kubepods/burstable/pod${UID}/${ID}\n1:name=systemd:/\n0::/kubepods/burstable/pod${UID}/${ID}\n`;
    assert.deepEqual(identityFromProcCgroup(text), { containerId: ID, podUid: UID });
  });

  it('falls back to a v1 hierarchy when the v2 line names no container', () => {
    const text = `11:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/\n`;
    assert.deepEqual(identityFromProcCgroup(text), { containerId: ID });
  });

  it('gives nothing for a host process or an empty file', () => {
    assert.deepEqual(identityFromProcCgroup('0::/init.scope\n'), {});
    assert.deepEqual(identityFromProcCgroup(''), {});
  });
});

describe('ContainerIdentityCache', () => {
  function procRoot(files: Record<number, string>): string {
    const root = makeTempDir('proc');
    for (const [pid, text] of Object.entries(files)) {
      fs.mkdirSync(path.join(root, pid));
      fs.writeFileSync(path.join(root, pid, 'cgroup'), text);
    }
    return root;
  }

  it('reads each pid once, bounds its entries and re-reads after the TTL', () => {
    const root = procRoot({ 1: `0::/docker/${ID}\n`, 2: '0::/\n', 3: '0::/\n' });
    let now = 0;
    const cache = new ContainerIdentityCache({ procRoot: root, maxEntries: 2, ttlMs: 1000, now: () => now });
    assert.deepEqual(cache.lookup(1), { containerId: ID });
    assert.deepEqual(cache.lookup(1), { containerId: ID });
    assert.equal(cache.reads, 1);
    cache.lookup(2);
    cache.lookup(1); // 1 is now the most recently used: 2 goes first
    cache.lookup(3);
    assert.equal(cache.size, 2);
    assert.equal(cache.reads, 3);
    cache.lookup(1);
    assert.equal(cache.reads, 3, 'pid 1 stayed');
    now = 1000;
    cache.lookup(1);
    assert.equal(cache.reads, 4, 're-read after the TTL');
    fs.rmSync(root, { recursive: true });
  });

  it('counts a process that is gone and gives it no identity', () => {
    const cache = new ContainerIdentityCache({ procRoot: procRoot({}) });
    assert.deepEqual(cache.lookup(99), {});
    assert.equal(cache.readFailures, 1);
  });
});
