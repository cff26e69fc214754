/**
 * Decodes the batches the native reader hands over (RECORD_ALIGN-aligned records,
 * layout in events-abi.generated.ts, generated from bpf/events.h) into typed events. Payloads are subarray views
 * into the batch, never copies.
 */
import type {
  CapturedEvent,
  CloseEvent,
  DataEvent,
  DbQueryEvent,
  ExecEvent,
  PacketEvent,
  ShellCommandEvent,
  TlsSecretEvent,
} from './captured-event';
import { parsePostgresTitle, type PostgresSession } from './postgres-title';
import {
  ABI_VERSION,
  CloseReason,
  CloseReasonNames,
  COMM_LEN,
  DB_QUERY_RECORD_SIZE,
  DbQueryRecordLength,
  DbQueryRecordOffset as D,
  DbStatus,
  DbSystemNames,
  Direction,
  MASTER_KEY_BYTES,
  MAX_MD_BYTES,
  PACKET_META_SIZE,
  PacketMetaOffset,
  RANDOM_BYTES,
  SHELL_COMMAND_RECORD_SIZE,
  ShellCommandRecordLength,
  ShellCommandRecordOffset as Sh,
  SourceFlag,
  RECORD_ALIGN,
  RECORD_HEADER_SIZE,
  RecordFlag,
  RecordHeaderOffset as O,
  RecordType,
  TLS_SECRETS_SIZE,
  TlsSecretsOffset as S,
  TlsLibraryNames,
} from './events-abi.generated';
import { formatIpv4, formatIpv6 } from './ip-address';
import type { WallClock } from './wall-clock';

/** record_header.family: Linux's AF_INET and AF_INET6. */
const AF_INET = 2;
const AF_INET6 = 10;

export interface DecodeStats {
  records: number;
  /** Records that could not be decoded, by reason. Every one is counted. */
  malformed: Map<string, number>;
}

/** Fixed part of each record type (the variable payload follows it). */
function fixedSize(type: RecordType): number {
  if (type === RecordType.ShellCommand) return SHELL_COMMAND_RECORD_SIZE;
  if (type === RecordType.DbQuery) return DB_QUERY_RECORD_SIZE;
  return RECORD_HEADER_SIZE;
}

/** Distinct IPv4 addresses remembered as text; beyond that the cache starts over (bounded memory). */
const MAX_CACHED_ADDRESSES = 4096;

export class BatchDecoder {
  readonly stats: DecodeStats = { records: 0, malformed: new Map() };
  // The same few processes and addresses come in every batch: their text is made once.
  private readonly ipv4Text = new Map<number, string>();
  private commWords: [number, number, number, number] = [-1, -1, -1, -1];
  private commText = '';

  // Backends of one server share few titles: the last one parsed is kept.
  private lastTitle = '';
  private lastSession: PostgresSession | undefined;

  constructor(private readonly clock: WallClock) {}

  /** Decode one batch; a malformed record ends the batch (its length can no longer be trusted) and is counted. */
  decode(batch: Uint8Array): CapturedEvent[] {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    const events: CapturedEvent[] = [];
    let offset = 0;
    // Type and ABI version first: the record's fixed size depends on its type.
    while (offset + 8 <= batch.byteLength) {
      const type = view.getUint32(offset + O.type, true) as RecordType;
      const version = view.getUint32(offset + O.abiVersion, true);
      if (version !== ABI_VERSION) {
        this.countMalformed('abi-version');
        return events;
      }
      const fixed = fixedSize(type);
      if (offset + fixed > batch.byteLength) {
        this.countMalformed('length');
        return events;
      }
      const captured = view.getUint32(offset + O.capturedLen, true);
      const end = offset + fixed + captured;
      if (end > batch.byteLength) {
        this.countMalformed('length');
        return events;
      }
      if (type === RecordType.Data) events.push(this.decodeData(batch, view, offset, captured));
      else if (type === RecordType.Close) events.push(this.decodeClose(view, offset));
      else if (type === RecordType.ProcessExec) events.push(this.decodeExec(batch, view, offset, captured));
      else if (type === RecordType.TlsSecret && captured === TLS_SECRETS_SIZE)
        events.push(this.decodeSecret(batch, view, offset));
      else if (type === RecordType.Packet && captured >= PACKET_META_SIZE)
        events.push(this.decodePacket(batch, view, offset, captured));
      else if (type === RecordType.ShellCommand) events.push(this.decodeShell(batch, view, offset, captured));
      else if (type === RecordType.DbQuery) {
        const query = this.decodeDbQuery(batch, view, offset, captured);
        if (query) events.push(query);
        else this.countMalformed('db-system');
      } else this.countMalformed(type === RecordType.TlsSecret || type === RecordType.Packet ? 'length' : 'type');
      this.stats.records++;
      offset = (end + RECORD_ALIGN - 1) & ~(RECORD_ALIGN - 1);
    }
    if (offset < batch.byteLength) this.countMalformed('length');
    return events;
  }

  private decodeData(batch: Uint8Array, view: DataView, at: number, captured: number): DataEvent {
    const family = view.getUint16(at + O.family, true);
    const flags = view.getUint8(at + O.flags);
    const ipVersion = family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0;
    const originalLength = view.getUint32(at + O.originalLen, true);
    const chunkOffset = view.getUint32(at + O.chunkOffset, true);
    return {
      kind: 'data',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + O.timestampNs, true)),
      pid: view.getUint32(at + O.pid, true),
      tid: view.getUint32(at + O.tid, true),
      uid: view.getUint32(at + O.uid, true),
      comm: this.comm(batch, view, at + O.comm),
      fd: view.getInt32(at + O.fd, true),
      sockId: view.getBigUint64(at + O.sockId, true),
      sslPtr: view.getBigUint64(at + O.sslPtr, true),
      ipVersion,
      localAddress: this.address(ipVersion, batch, view, at + O.localAddr),
      localPort: view.getUint16(at + O.localPort, true),
      remoteAddress: this.address(ipVersion, batch, view, at + O.remoteAddr),
      remotePort: view.getUint16(at + O.remotePort, true),
      tlsLibrary: TlsLibraryNames[view.getUint8(at + O.tlsLibrary)] ?? 'unknown',
      direction:
        (view.getUint8(at + O.direction) as Direction) === Direction.Ingress ? Direction.Ingress : Direction.Egress,
      originalLength,
      chunkOffset,
      payload: batch.subarray(at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + captured),
      truncated: (flags & RecordFlag.Truncated) !== 0,
    };
  }

  private decodeSecret(batch: Uint8Array, view: DataView, at: number): TlsSecretEvent {
    const family = view.getUint16(at + O.family, true);
    const ipVersion = family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0;
    const base = at + RECORD_HEADER_SIZE;
    const bytes = (offset: number, length: number): Uint8Array => batch.subarray(base + offset, base + offset + length);
    return {
      kind: 'tls-secret',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + O.timestampNs, true)),
      pid: view.getUint32(at + O.pid, true),
      tid: view.getUint32(at + O.tid, true),
      uid: view.getUint32(at + O.uid, true),
      comm: this.comm(batch, view, at + O.comm),
      fd: view.getInt32(at + O.fd, true),
      sockId: view.getBigUint64(at + O.sockId, true),
      sslPtr: view.getBigUint64(at + O.sslPtr, true),
      ipVersion,
      localAddress: this.address(ipVersion, batch, view, at + O.localAddr),
      localPort: view.getUint16(at + O.localPort, true),
      remoteAddress: this.address(ipVersion, batch, view, at + O.remoteAddr),
      remotePort: view.getUint16(at + O.remotePort, true),
      tlsLibrary: TlsLibraryNames[view.getUint8(at + O.tlsLibrary)] ?? 'unknown',
      version: view.getUint32(base + S.version, true),
      cipherId: view.getUint32(base + S.cipherId, true),
      clientRandom: bytes(S.clientRandom, RANDOM_BYTES),
      masterKey: bytes(S.masterKey, Math.min(view.getUint32(base + S.masterKeyLen, true), MASTER_KEY_BYTES)),
      handshakeSecret: bytes(S.handshakeSecret, MAX_MD_BYTES),
      handshakeTrafficHash: bytes(S.handshakeTrafficHash, MAX_MD_BYTES),
      clientAppTrafficSecret: bytes(S.clientAppTrafficSecret, MAX_MD_BYTES),
      serverAppTrafficSecret: bytes(S.serverAppTrafficSecret, MAX_MD_BYTES),
      exporterMasterSecret: bytes(S.exporterMasterSecret, MAX_MD_BYTES),
    };
  }

  private decodePacket(batch: Uint8Array, view: DataView, at: number, captured: number): PacketEvent {
    const frameStart = at + RECORD_HEADER_SIZE + PACKET_META_SIZE;
    return {
      kind: 'packet',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + O.timestampNs, true)),
      pid: view.getUint32(at + O.pid, true),
      comm: this.comm(batch, view, at + O.comm),
      ifindex: view.getUint32(at + RECORD_HEADER_SIZE + PacketMetaOffset.ifindex, true),
      direction: view.getUint8(at + O.direction) === 1 ? Direction.Ingress : Direction.Egress,
      originalLength: view.getUint32(at + O.originalLen, true),
      frame: batch.subarray(frameStart, at + RECORD_HEADER_SIZE + captured),
    };
  }

  private decodeClose(view: DataView, at: number): CloseEvent {
    const reason = view.getUint8(at + O.closeReason) as CloseReason;
    return {
      kind: 'close',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + O.timestampNs, true)),
      pid: view.getUint32(at + O.pid, true),
      fd: view.getInt32(at + O.fd, true),
      sockId: view.getBigUint64(at + O.sockId, true),
      // A reason this build does not know (a newer kernel object) reads as none.
      reason: reason in CloseReasonNames ? reason : CloseReason.None,
    };
  }

  private decodeExec(batch: Uint8Array, view: DataView, at: number, captured: number): ExecEvent {
    const name = at + RECORD_HEADER_SIZE;
    return {
      kind: 'exec',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + O.timestampNs, true)),
      pid: view.getUint32(at + O.pid, true),
      tid: view.getUint32(at + O.tid, true),
      comm: this.comm(batch, view, at + O.comm),
      filename: Buffer.from(batch.buffer, batch.byteOffset + name, captured).toString('utf8'),
    };
  }

  private decodeShell(batch: Uint8Array, view: DataView, at: number, captured: number): ShellCommandEvent {
    const flags = view.getUint8(at + Sh.flags);
    const end = view.getBigUint64(at + Sh.endNs, true);
    const start = at + SHELL_COMMAND_RECORD_SIZE;
    return {
      kind: 'shell-command',
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + Sh.timestampNs, true)),
      endNs: end === 0n ? undefined : this.clock.fromMonotonic(end),
      pid: view.getUint32(at + Sh.pid, true),
      tid: view.getUint32(at + Sh.tid, true),
      ppid: view.getUint32(at + Sh.ppid, true),
      uid: view.getUint32(at + Sh.uid, true),
      comm: decodeCString(batch, at + Sh.comm, COMM_LEN),
      tty: decodeTty(decodeCString(batch, at + Sh.tty, ShellCommandRecordLength.tty)),
      line: Buffer.from(batch.buffer, batch.byteOffset + start, captured).toString('utf8'),
      lineLength: view.getUint32(at + Sh.lineLen, true),
      truncated: (flags & SourceFlag.Truncated) !== 0,
      exitStatus: (flags & SourceFlag.StatusKnown) !== 0 ? view.getInt32(at + Sh.exitStatus, true) : undefined,
    };
  }

  private decodeDbQuery(batch: Uint8Array, view: DataView, at: number, captured: number): DbQueryEvent | undefined {
    const system = DbSystemNames[view.getUint8(at + D.dbSystem)] as DbQueryEvent['system'] | undefined;
    if (system === undefined) return undefined;
    const family = view.getUint16(at + D.family, true);
    const ipVersion = family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0;
    const pid = view.getUint32(at + D.pid, true);
    const ok = (view.getUint8(at + D.status) as DbStatus) !== DbStatus.Error;
    const errorCode = view.getUint32(at + D.errorCode, true);
    const flags = view.getUint8(at + D.flags);
    let sqlState = '';
    if (!ok)
      sqlState =
        system === 'postgresql'
          ? unpackSqlState(errorCode)
          : decodeCString(batch, at + D.sqlstate, DbQueryRecordLength.sqlstate);
    const start = at + DB_QUERY_RECORD_SIZE;
    const sessionText = decodeCString(batch, at + D.session, DbQueryRecordLength.session);
    const session = system === 'postgresql' ? this.postgresSession(sessionText) : undefined;
    const kernelClient = ipVersion !== 0;
    return {
      kind: 'db-query',
      system,
      timestampNs: this.clock.fromMonotonic(view.getBigUint64(at + D.startNs, true)),
      endNs: this.clock.fromMonotonic(view.getBigUint64(at + D.endNs, true)),
      pid,
      tid: view.getUint32(at + D.tid, true),
      uid: view.getUint32(at + D.uid, true),
      comm: decodeCString(batch, at + D.comm, COMM_LEN),
      command: view.getUint8(at + D.command),
      statementId: view.getUint32(at + D.statementId, true),
      text: Buffer.from(batch.buffer, batch.byteOffset + start, captured).toString('utf8'),
      textLength: view.getUint32(at + D.queryLen, true),
      truncated: (flags & SourceFlag.Truncated) !== 0,
      ok,
      errorNumber: system === 'mysql' && !ok ? errorCode : 0,
      sqlState,
      namespace: system === 'mysql' ? sessionText : (session?.namespace ?? ''),
      user: session?.user ?? '',
      clientAddress: kernelClient
        ? this.address(ipVersion, batch, view, at + D.remoteAddr)
        : (session?.clientAddress ?? ''),
      clientPort: kernelClient ? view.getUint16(at + D.remotePort, true) : (session?.clientPort ?? 0),
      serverAddress: kernelClient ? this.address(ipVersion, batch, view, at + D.localAddr) : '',
      serverPort: kernelClient ? view.getUint16(at + D.localPort, true) : 0,
    };
  }

  private postgresSession(title: string): PostgresSession | undefined {
    if (title !== this.lastTitle) {
      this.lastTitle = title;
      this.lastSession = parsePostgresTitle(title);
    }
    return this.lastSession;
  }

  private address(ipVersion: number, batch: Uint8Array, view: DataView, at: number): string {
    if (ipVersion === 6) return formatIpv6(batch, at);
    if (ipVersion !== 4) return '';
    const key = view.getUint32(at, false);
    let text = this.ipv4Text.get(key);
    if (text === undefined) {
      if (this.ipv4Text.size >= MAX_CACHED_ADDRESSES) this.ipv4Text.clear();
      text = formatIpv4(batch, at);
      this.ipv4Text.set(key, text);
    }
    return text;
  }

  /** The comm of the record at `at`: the previous record's text when the bytes are the same. */
  private comm(batch: Uint8Array, view: DataView, at: number): string {
    const words = this.commWords;
    const w0 = view.getUint32(at, true);
    const w1 = view.getUint32(at + 4, true);
    const w2 = view.getUint32(at + 8, true);
    const w3 = view.getUint32(at + 12, true);
    if (w0 === words[0] && w1 === words[1] && w2 === words[2] && w3 === words[3]) return this.commText;
    this.commWords = [w0, w1, w2, w3];
    this.commText = decodeComm(batch, at);
    return this.commText;
  }

  private countMalformed(reason: string): void {
    this.stats.malformed.set(reason, (this.stats.malformed.get(reason) ?? 0) + 1);
  }
}

function decodeCString(batch: Uint8Array, at: number, max: number): string {
  let end = at;
  while (end < at + max && batch[end] !== 0) end++;
  return Buffer.from(batch.buffer, batch.byteOffset + at, end - at).toString('utf8');
}

/** The kernel names pseudo-terminals `pts3`; /dev/pts/3 is what people know. */
function decodeTty(name: string): string {
  return /^pts\d+$/.test(name) ? `pts/${name.slice(3)}` : name;
}

/** PostgreSQL's MAKE_SQLSTATE: five characters, six bits each, first in the lowest bits. 0: internal error. */
export function unpackSqlState(code: number): string {
  if (code === 0) return 'XX000';
  let text = '';
  for (let i = 0; i < 5; i++) text += String.fromCharCode(((code >>> (6 * i)) & 0x3f) + 0x30);
  return text;
}

function decodeComm(batch: Uint8Array, at: number): string {
  let end = at;
  while (end < at + COMM_LEN && batch[end] !== 0) end++;
  return Buffer.from(batch.buffer, batch.byteOffset + at, end - at).toString('latin1');
}
