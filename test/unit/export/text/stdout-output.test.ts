import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import { ConsoleWriter } from '../../../../agent/export/text/console-writer';
import { StdoutOutput } from '../../../../agent/export/text/stdout-output';
import { facts } from '../../../support/captured-events';
import { rawMessage } from '../../../support/output-records';

const record: RawMessage = rawMessage('GET / HTTP/1.1\r\n\r\n', {
  connection: facts({ pid: 1, tid: 1, comm: 'curl', fd: 5 }),
});

/** A stream like process.stdout: writes, and reports failures as 'error' events. */
class FakeStream extends EventEmitter {
  readonly chunks: string[] = [];
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
}

describe('StdoutOutput', () => {
  it('writes until the stream reports an error, then counts every record as output_closed', () => {
    const stream = new FakeStream();
    const closed: string[] = [];
    const output = new StdoutOutput(new ConsoleWriter({ stream }), stream, (code) => closed.push(code));
    output.emit(record);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    stream.emit('error', Object.assign(new Error('write after end'), { code: 'ERR_STREAM_DESTROYED' }));
    output.emit(record);
    output.emit(record);
    assert.equal(stream.chunks.length, 1);
    assert.deepEqual(closed, ['EPIPE'], 'reported once, with the first error');
    assert.equal(output.closed, true);
    const stats = output.stats();
    assert.equal(stats.exporter, 'stdout');
    assert.equal(stats.exported, 1);
    assert.deepEqual(stats.dropped, { output_closed: 2 });
  });

  it('a write that throws closes the output the same way', () => {
    const stream = new FakeStream();
    const closed: string[] = [];
    const throwing = {
      emit: () => {
        throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
      },
    };
    const output = new StdoutOutput(throwing, stream, (code) => closed.push(code));
    output.emit(record);
    output.emit(record);
    assert.deepEqual(closed, ['EPIPE']);
    assert.deepEqual(output.stats().dropped, { output_closed: 2 });
  });
});
