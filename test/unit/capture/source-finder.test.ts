/** The shell and database finders on the real executables of this machine (Debian's bash, MariaDB, PostgreSQL). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { BASH_SPEC } from '../../../agent/capture/targets/bash';
import { ElfFile } from '../../../agent/capture/targets/elf-file';
import { MYSQL_SPEC } from '../../../agent/capture/targets/mysql';
import { POSTGRES_SPEC } from '../../../agent/capture/targets/postgres';
import { SourceTargetFinder, type SourceFinderSpec } from '../../../agent/capture/targets/source-finder';

const FILES: readonly [SourceFinderSpec, string][] = [
  [BASH_SPEC, '/bin/bash'],
  [MYSQL_SPEC, '/usr/sbin/mariadbd'],
  [POSTGRES_SPEC, '/usr/lib/postgresql/15/bin/postgres'],
];

function examine(spec: SourceFinderSpec, file: string) {
  const elf = ElfFile.open(file);
  assert.ok(elf, `${file} is ELF`);
  try {
    return new SourceTargetFinder(spec).examine({ path: file, mappedPath: file, foundIn: 'system' }, elf);
  } finally {
    elf.close();
  }
}

describe('shell and database target finders', () => {
  for (const [spec, file] of FILES) {
    it(`${spec.name}: every probe on ${file}, and nothing on the others' files`, () => {
      const decision = examine(spec, file);
      assert.equal(decision?.action, 'attach');
      assert.equal(decision?.library, spec.name);
      if (decision?.action === 'attach') {
        assert.deepEqual(
          decision.probes.map((p) => `${p.program}@${p.symbol}`),
          spec.probes.map((p) => `${p.program}@${p.symbol}`),
        );
        assert.ok(decision.probes.every((p) => p.offset > 0));
      }
      for (const [other] of FILES) {
        if (other !== spec) assert.equal(examine(other, file), undefined);
      }
    });
  }

  it('starts from the standard paths that exist', () => {
    const files = new SourceTargetFinder(POSTGRES_SPEC, ['/opt/pg/bin/postgres']).startupFiles();
    assert.equal(files[0]?.foundIn, 'option');
    assert.ok(files.slice(1).every((f) => f.foundIn === 'system' && fs.existsSync(f.path)));
  });
});
