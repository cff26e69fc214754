/**
 * The return instructions of one x86-64 function, found by decoding its machine code from the
 * first byte (iced-x86), never by searching for the byte 0xC3, which also occurs inside other
 * instructions. Go code cannot take uretprobes (its stacks move), so a function's results are
 * read by uprobes on each of these. One architecture per file: arm64 gets its own.
 */
import { Code, Decoder, DecoderOptions, FlowControl } from 'iced-x86';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Virtual addresses of every RET in code (which starts at address). Throws on undecodable bytes. */
export function x86ReturnAddresses(code: Uint8Array, address: bigint): bigint[] {
  const decoder = new Decoder(64, code, DecoderOptions.None);
  decoder.ip = address;
  const returns: bigint[] = [];
  try {
    while (decoder.canDecode) {
      const instruction = decoder.decode();
      try {
        if (instruction.code === Code.INVALID) {
          // Go pads between functions with INT3; anything else undecodable means we misread the range.
          throw new DecodeError(`undecodable instruction at 0x${instruction.ip.toString(16)}`);
        }
        if (instruction.flowControl === FlowControl.Return) returns.push(instruction.ip);
      } finally {
        instruction.free();
      }
    }
  } finally {
    decoder.free();
  }
  return returns;
}

/**
 * Does code start like a Go function of the register ABI (1.17+) with a stack frame? Its first
 * instructions compare the stack pointer (or rsp minus the frame) with g.stackguard0 at
 * [R14+0x10]. A function range read at the wrong address fails this before any probe is placed.
 */
export function x86LooksLikeGoEntry(code: Uint8Array): boolean {
  const at = (offset: number, bytes: readonly number[]): boolean => bytes.every((b, i) => code[offset + i] === b);
  if (at(0, [0x49, 0x3b, 0x66, 0x10])) return true; // cmp rsp, [r14+0x10]
  // lea r12, [rsp-N] (disp8 or disp32), then cmp r12, [r14+0x10]
  if (at(0, [0x4c, 0x8d, 0x64, 0x24])) return at(5, [0x4d, 0x3b, 0x66, 0x10]);
  if (at(0, [0x4c, 0x8d, 0xa4, 0x24])) return at(8, [0x4d, 0x3b, 0x66, 0x10]);
  return false;
}
