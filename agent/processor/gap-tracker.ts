/**
 * Finds the bytes of one direction that were never captured.
 *
 * The kernel splits a TLS call into records (`chunkOffset` = position in the
 * call) and may capture fewer bytes than the call carried (`originalLength`).
 * Whatever of a call is not covered by its records — a cut tail, a skipped
 * chunk, a lost head — is a gap, reported before the next non-empty chunk of
 * the same direction.
 */
export class GapTracker {
  /** `originalLength` of the current call. */
  private callLength = 0;
  /** End of the captured prefix of the current call. */
  private covered = 0;
  /** Gap known but not yet reported (it precedes an empty record). */
  private carried = 0;

  /** Accounts one record; returns the gap to report before its bytes (0 for an empty record: its gap is carried). */
  next(chunkOffset: number, capturedLength: number, originalLength: number): number {
    let gap: number;
    const continues =
      chunkOffset > 0 &&
      chunkOffset >= this.covered &&
      originalLength === this.callLength &&
      this.covered < this.callLength;
    if (continues) {
      // Continuation of the current call.
      gap = chunkOffset - this.covered;
    } else {
      // A new call: the old call's uncovered tail and this call's missing head are lost.
      gap = this.callLength - this.covered + chunkOffset;
      this.callLength = originalLength;
    }
    this.covered = chunkOffset + capturedLength;
    if (this.covered > this.callLength) this.callLength = this.covered;
    if (capturedLength === 0) {
      this.carried += gap;
      return 0;
    }
    gap += this.carried;
    this.carried = 0;
    return gap;
  }

  /** Adds bytes that were captured but could not be delivered, so the next chunk reports them. */
  lose(bytes: number): void {
    this.carried += bytes;
  }

  /** Bytes known lost and not reported yet: what a closing connection never delivers. */
  unreported(): number {
    return this.carried + this.callLength - this.covered;
  }
}
