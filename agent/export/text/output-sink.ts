/** The stdout sink chosen by `output.format`: console text, JSON lines, or nothing. */
import type { OutputRecord } from '../../exchange/output-record';
import type { RecordSink } from '../../protocols/protocol';
import { ConsoleWriter } from './console-writer';
import { JsonLinesWriter } from './json-lines-writer';
import type { TextStream } from './stdout-output';

export interface OutputSettings {
  readonly format: 'console' | 'json' | 'none';
  readonly hex: boolean;
}

/** Discards records (`--output none`): they still count in the processor's statistics. */
class DiscardSink implements RecordSink {
  emit(_record: OutputRecord): void {}
}

export function createOutputSink(settings: OutputSettings, stream: TextStream): RecordSink {
  switch (settings.format) {
    case 'console':
      return new ConsoleWriter({ stream, hex: settings.hex });
    case 'json':
      return new JsonLinesWriter({ stream, hex: settings.hex });
    case 'none':
      return new DiscardSink();
  }
}
