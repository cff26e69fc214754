import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cgroup2Mounts, resolveCgroup } from '../../../agent/capture/cgroup-path';

const MOUNTINFO = [
  '25 30 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct',
  '28 25 0:25 / /mnt/with\\040space rw - cgroup2 cgroup2 rw',
].join('\n');

describe('cgroup paths', () => {
  it('finds the cgroup2 mounts in mountinfo, unescaping octal', () => {
    assert.deepEqual(cgroup2Mounts(MOUNTINFO), ['/sys/fs/cgroup/unified', '/mnt/with space']);
  });

  it('explains a relative path and a path that is no cgroup v2 directory', () => {
    const relative = resolveCgroup('kubepods', MOUNTINFO);
    assert.ok('problem' in relative && /not an absolute cgroup path/.test(relative.problem));
    const missing = resolveCgroup('/no/such/cgroup', '');
    assert.ok('problem' in missing && /no cgroup v2/.test(missing.problem), JSON.stringify(missing));
    const notCgroup = resolveCgroup('/tmp', MOUNTINFO);
    assert.ok('problem' in notCgroup && /not a cgroup v2 directory/.test(notCgroup.problem));
  });
});
