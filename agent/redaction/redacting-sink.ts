/** A RecordSink that redacts each record once, then hands it to every output behind it. */
import type { OutputRecord } from '../exchange/output-record';
import type { RecordSink } from '../protocols/protocol';
import { redactRecord, type RecordRedactionOptions } from './redact-record';
import type { Redactor } from './redactor';

export class RedactingSink implements RecordSink {
  constructor(
    private readonly redactor: Redactor,
    private readonly next: RecordSink,
    private readonly options: RecordRedactionOptions = {},
  ) {}

  emit(record: OutputRecord): void {
    // Redaction keeps the kind, so the record is still an OutputRecord.
    this.next.emit(redactRecord(record, this.redactor, this.options));
  }
}
