/** The part of hpack.js (npm, no types of its own) the HPACK unit test and the hpack-compare benchmark use. */
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
  export interface FieldToEncode {
    readonly name: string;
    readonly value: string;
    /** Default true: added to the dynamic table. */
    readonly incremental?: boolean;
    readonly neverIndex?: boolean;
    /** Default true. */
    readonly huffman?: boolean;
  }
  /** A stream: header lists written in, header blocks (in pieces) read out. */
  export interface Compressor {
    write(fields: readonly FieldToEncode[]): boolean;
    read(): Buffer | null;
  }
  export const compressor: {
    create(options: { readonly table: { readonly maxSize: number } }): Compressor;
  };
  export const decompressor: {
    create(options: { readonly table: { readonly maxSize: number } }): Decompressor;
  };
}
