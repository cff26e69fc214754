/** Where writers put their text: process.stdout, a file stream, or a test's collector. */
export interface TextStream {
  write(text: string): unknown;
}
