/**
 * HPACK string literals (Huffman-coded or raw) to strings, through a small cache shared by every
 * decoder: peers send the same short literals over and over without indexing them (nginx codes
 * `server`, `date`, `content-type` afresh in every response), and a hit costs a hash and a
 * compare instead of a decode and a new string. Bounded: 512 slots of at most 64 coded bytes,
 * the newest literal of a slot replacing the one before; longer literals are decoded every time.
 */
import { latin1 } from '../../http1/latin1';
import { huffmanDecode, huffmanDecodedBound } from './huffman-decoder';

const SLOTS = 512;
const MAX_CACHED_CODED_BYTES = 64;
const HUFFMAN_KEY = 0x10000;

const keys = new Uint8Array(SLOTS * MAX_CACHED_CODED_BYTES);
/** Coded length of each slot's key, + HUFFMAN_KEY when Huffman-coded; -1: empty. */
const keyLengths = new Int32Array(SLOTS).fill(-1);
const texts: string[] = new Array<string>(SLOTS).fill('');
/** Decoded bytes of the literal at hand (shared: decoding is synchronous). */
let scratch = new Uint8Array(256);

/** The literal in `input[start, end)`, Huffman-coded or not; undefined when the Huffman code is not valid. */
export function cachedLiteral(input: Uint8Array, start: number, end: number, huffman: boolean): string | undefined {
  const length = end - start;
  const key = huffman ? length + HUFFMAN_KEY : length;
  let slot = -1;
  if (length <= MAX_CACHED_CODED_BYTES) {
    let hash = 0x811c9dc5 ^ key;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (input[i] as number), 0x01000193);
    slot = (hash >>> 7) & (SLOTS - 1);
    if (keyLengths[slot] === key) {
      const base = slot * MAX_CACHED_CODED_BYTES - start;
      let i = start;
      while (i < end && keys[base + i] === input[i]) i++;
      if (i === end) return texts[slot];
    }
  }
  let text: string;
  if (huffman) {
    const bound = huffmanDecodedBound(length);
    if (scratch.length < bound) scratch = new Uint8Array(Math.max(bound, scratch.length * 2));
    const decoded = huffmanDecode(input, start, end, scratch);
    if (decoded < 0) return undefined;
    text = latin1(scratch, 0, decoded);
  } else {
    text = latin1(input, start, end);
  }
  if (slot >= 0) {
    keys.set(input.subarray(start, end), slot * MAX_CACHED_CODED_BYTES);
    keyLengths[slot] = key;
    texts[slot] = text;
  }
  return text;
}
