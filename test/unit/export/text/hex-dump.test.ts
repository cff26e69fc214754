import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexDump } from '../../../../agent/export/text/hex-dump';

// Expected strings produced by Go 1.26 encoding/hex.Dump on the same inputs.
const sevens = Uint8Array.from({ length: 40 }, (_, i) => (i * 7) & 0xff);

describe('hexDump', () => {
  it('matches Go hex.Dump on text across lines', () => {
    assert.equal(
      hexDump(new TextEncoder().encode('Go is an open source programming language.')),
      '00000000  47 6f 20 69 73 20 61 6e  20 6f 70 65 6e 20 73 6f  |Go is an open so|\n' +
        '00000010  75 72 63 65 20 70 72 6f  67 72 61 6d 6d 69 6e 67  |urce programming|\n' +
        '00000020  20 6c 61 6e 67 75 61 67  65 2e                    | language.|\n',
    );
  });

  it('pads short lines so the ASCII column lines up', () => {
    assert.equal(
      hexDump(sevens.subarray(0, 7)),
      '00000000  00 07 0e 15 1c 23 2a                              |.....#*|\n',
    );
    assert.equal(
      hexDump(sevens.subarray(0, 8)),
      '00000000  00 07 0e 15 1c 23 2a 31                           |.....#*1|\n',
    );
  });

  it('prints non-printable bytes as dots and offsets in hex', () => {
    assert.equal(
      hexDump(sevens.subarray(0, 33)),
      '00000000  00 07 0e 15 1c 23 2a 31  38 3f 46 4d 54 5b 62 69  |.....#*18?FMT[bi|\n' +
        '00000010  70 77 7e 85 8c 93 9a a1  a8 af b6 bd c4 cb d2 d9  |pw~.............|\n' +
        '00000020  e0                                                |.|\n',
    );
  });

  it('dumps a view from its own start, and nothing for no bytes', () => {
    assert.equal(hexDump(sevens.subarray(32, 33)), '00000000  e0                                                |.|\n');
    assert.equal(hexDump(new Uint8Array(0)), '');
  });
});
