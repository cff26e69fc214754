/**
 * The pcapng blocks plaintap writes (draft-ietf-opsawg-pcapng), little-endian: Section Header,
 * Interface Description, Enhanced Packet and Decryption Secrets. Each returns the whole block.
 */

const SHB_TYPE = 0x0a0d0d0a;
const IDB_TYPE = 0x00000001;
const EPB_TYPE = 0x00000006;
const DSB_TYPE = 0x0000000a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Secrets type of a DSB holding NSS key log lines. */
export const TLS_KEY_LOG_SECRETS = 0x544c534b;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;

/** Link types (tcpdump.org/linktypes.html). */
export const LINKTYPE_ETHERNET = 1;

const pad4 = (n: number): number => (n + 3) & ~3;

function option(code: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + pad4(value.length));
  out.writeUInt16LE(code, 0);
  out.writeUInt16LE(value.length, 2);
  out.set(value, 4);
  return out;
}

const END_OF_OPTIONS = option(OPT_END, new Uint8Array(0));

/** type, total length, body (padded), total length again. */
function block(type: number, body: Buffer): Buffer {
  const length = 12 + pad4(body.length);
  const out = Buffer.alloc(length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(length, 4);
  body.copy(out, 8);
  out.writeUInt32LE(length, length - 4);
  return out;
}

export function sectionHeaderBlock(application: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4); // version 1.0
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length not given
  return block(SHB_TYPE, Buffer.concat([fixed, option(SHB_USERAPPL, Buffer.from(application)), END_OF_OPTIONS]));
}

/** Timestamps in nanoseconds (if_tsresol 9). */
export function interfaceDescriptionBlock(linkType: number, snaplen: number, name: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(linkType, 0);
  fixed.writeUInt32LE(snaplen, 4);
  return block(
    IDB_TYPE,
    Buffer.concat([fixed, option(IF_NAME, Buffer.from(name)), option(IF_TSRESOL, Buffer.from([9])), END_OF_OPTIONS]),
  );
}

export function enhancedPacketBlock(
  interfaceId: number,
  timestampNs: bigint,
  frame: Uint8Array,
  originalLength: number,
  comment: string,
): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(interfaceId, 0);
  fixed.writeUInt32LE(Number((timestampNs >> 32n) & 0xffffffffn), 4);
  fixed.writeUInt32LE(Number(timestampNs & 0xffffffffn), 8);
  fixed.writeUInt32LE(frame.length, 12);
  fixed.writeUInt32LE(Math.max(originalLength, frame.length), 16);
  const padding = Buffer.alloc(pad4(frame.length) - frame.length);
  return block(
    EPB_TYPE,
    Buffer.concat([fixed, frame, padding, option(OPT_COMMENT, Buffer.from(comment)), END_OF_OPTIONS]),
  );
}

/** `keyLog`: NSS key log lines. */
export function decryptionSecretsBlock(keyLog: string): Buffer {
  const data = Buffer.from(keyLog, 'latin1');
  const fixed = Buffer.alloc(8);
  fixed.writeUInt32LE(TLS_KEY_LOG_SECRETS, 0);
  fixed.writeUInt32LE(data.length, 4);
  return block(DSB_TYPE, Buffer.concat([fixed, data]));
}
