/** Builds records byte for byte as the kernel does (layout from events-abi.generated.ts), for decoder tests. */
import {
  ABI_VERSION,
  Direction,
  RECORD_ALIGN,
  RECORD_HEADER_SIZE,
  RecordHeaderOffset as O,
  RecordType,
  TlsLibrary,
} from '../../agent/capture/events-abi.generated';

export interface RecordFields {
  type?: number;
  abiVersion?: number;
  timestampNs?: bigint;
  sockId?: bigint;
  sslPtr?: bigint;
  pid?: number;
  tid?: number;
  uid?: number;
  fd?: number;
  originalLen?: number;
  chunkOffset?: number;
  family?: number;
  localPort?: number;
  remotePort?: number;
  direction?: number;
  tlsLibrary?: number;
  closeReason?: number;
  flags?: number;
  localAddr?: number[];
  remoteAddr?: number[];
  comm?: string;
  payload?: Uint8Array;
}

export function buildRecord(fields: RecordFields): Buffer {
  const payload = fields.payload ?? new Uint8Array();
  const size = (RECORD_HEADER_SIZE + payload.length + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
  const b = Buffer.alloc(size);
  b.writeUInt32LE(fields.type ?? RecordType.Data, O.type);
  b.writeUInt32LE(fields.abiVersion ?? ABI_VERSION, O.abiVersion);
  b.writeBigUInt64LE(fields.timestampNs ?? 1_000n, O.timestampNs);
  b.writeBigUInt64LE(fields.sockId ?? 0xffff888000001000n, O.sockId);
  b.writeBigUInt64LE(fields.sslPtr ?? 0x55550000n, O.sslPtr);
  b.writeUInt32LE(fields.pid ?? 100, O.pid);
  b.writeUInt32LE(fields.tid ?? 101, O.tid);
  b.writeUInt32LE(fields.uid ?? 0, O.uid);
  b.writeInt32LE(fields.fd ?? 5, O.fd);
  b.writeUInt32LE(fields.originalLen ?? payload.length, O.originalLen);
  b.writeUInt32LE(payload.length, O.capturedLen);
  b.writeUInt32LE(fields.chunkOffset ?? 0, O.chunkOffset);
  b.writeUInt16LE(fields.family ?? 2, O.family);
  b.writeUInt16LE(fields.localPort ?? 40000, O.localPort);
  b.writeUInt16LE(fields.remotePort ?? 443, O.remotePort);
  b.writeUInt8(fields.direction ?? Direction.Egress, O.direction);
  b.writeUInt8(fields.tlsLibrary ?? TlsLibrary.Openssl, O.tlsLibrary);
  b.writeUInt8(fields.closeReason ?? 0, O.closeReason);
  b.writeUInt8(fields.flags ?? 0, O.flags);
  Buffer.from(fields.localAddr ?? [127, 0, 0, 1]).copy(b, O.localAddr);
  Buffer.from(fields.remoteAddr ?? [127, 0, 0, 1]).copy(b, O.remoteAddr);
  Buffer.from(fields.comm ?? 'curl', 'latin1').copy(b, O.comm, 0, 15);
  Buffer.from(payload).copy(b, RECORD_HEADER_SIZE);
  return b;
}
