/**
 * Decodes HPACK Huffman strings (RFC 7541 §5.2) four bits at a time: a state machine built once
 * from the code table, one lookup per nibble (the shortest code is five bits, so a nibble ends
 * at most one symbol). Rejects EOS in the data and padding that is not a short run of 1 bits.
 */
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table';

const EOS = 256;

/** Internal nodes of the code tree: children[2 * node + bit] (>= 0 a node, < 0 a leaf -(symbol + 1)). */
function buildTree(): { children: Int32Array; nodes: number; paddingOk: Uint8Array } {
  const children = new Int32Array(2 * 512).fill(0x7fffffff);
  const paddingOk = new Uint8Array(512);
  let nodes = 1;
  paddingOk[0] = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = HUFFMAN_CODES[symbol] as number;
    const length = HUFFMAN_LENGTHS[symbol] as number;
    let node = 0;
    for (let i = length - 1; i >= 0; i--) {
      const bit = Math.floor(code / 2 ** i) & 1;
      const slot = 2 * node + bit;
      if (i === 0) {
        children[slot] = -(symbol + 1);
      } else {
        if (children[slot] === 0x7fffffff) {
          children[slot] = nodes;
          // Padding may stop at a node reached by fewer than 8 one-bits from the root.
          const depth = length - i;
          paddingOk[nodes] = (paddingOk[node] as number) === 1 && bit === 1 && depth < 8 ? 1 : 0;
          nodes++;
        }
        node = children[slot] as number;
      }
    }
  }
  return { children, nodes, paddingOk };
}

const FAIL = 0x100;
const EMIT = 0x200;

/** transitions[16 * state + nibble] = next state | EMIT (symbol in emitted[…]) | FAIL. */
const { transitions, emitted, acceptAt } = (() => {
  const { children, nodes, paddingOk } = buildTree();
  const transitions = new Uint16Array(16 * nodes);
  const emitted = new Uint8Array(16 * nodes);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let out = 0;
      let fail = false;
      let emit = false;
      for (let i = 3; i >= 0; i--) {
        const child = children[2 * node + ((nibble >> i) & 1)] as number;
        if (child < 0) {
          const symbol = -child - 1;
          if (symbol === EOS) fail = true;
          out = symbol & 0xff;
          emit = true;
          node = 0;
        } else {
          node = child;
        }
      }
      transitions[16 * state + nibble] = fail ? FAIL : node | (emit ? EMIT : 0);
      emitted[16 * state + nibble] = out;
    }
  }
  return { transitions, emitted, acceptAt: paddingOk };
})();

/**
 * Decodes `input[start, end)` into `out` from index 0; returns the decoded length, or -1 when the
 * string is not valid Huffman. `out` must hold (end - start) * 8 / 5 + 1 bytes.
 */
export function huffmanDecode(input: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let state = 0;
  let length = 0;
  for (let i = start; i < end; i++) {
    const byte = input[i] as number;
    let t = transitions[16 * state + (byte >> 4)] as number;
    if (t & FAIL) return -1;
    if (t & EMIT) out[length++] = emitted[16 * state + (byte >> 4)] as number;
    state = t & 0xff;
    t = transitions[16 * state + (byte & 0x0f)] as number;
    if (t & FAIL) return -1;
    if (t & EMIT) out[length++] = emitted[16 * state + (byte & 0x0f)] as number;
    state = t & 0xff;
  }
  return acceptAt[state] === 1 ? length : -1;
}

/** Most bytes `huffmanDecode` can write for `codedLength` input bytes. */
export function huffmanDecodedBound(codedLength: number): number {
  return Math.ceil((codedLength * 8) / 5) + 1;
}
