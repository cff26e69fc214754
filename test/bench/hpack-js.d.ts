/** The part of hpack.js (npm, no types of its own) the hpack-compare benchmark uses. */
declare module 'hpack.js' {
  export interface DecodedField {
    readonly name: string;
    readonly value: string;
    readonly neverIndex: boolean;
  }
  /** A stream: header blocks written in, fields read out (object mode). */
  export interface Decompressor {
    write(block: Uint8Array): boolean;
    /** Decodes what was written; throws (no callback) on bad input. */
    execute(): void;
    read(): DecodedField | null;
  }
  export const decompressor: {
    create(options: { readonly table: { readonly maxSize: number } }): Decompressor;
  };
}
