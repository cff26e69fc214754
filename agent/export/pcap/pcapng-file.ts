/**
 * `plaintap pcap FILE` / `--pcapng FILE`: the captured processes' packets as pcapng, each with
 * its process as a comment, and the TLS secrets as Decryption Secrets Blocks, so that
 * `tshark -r FILE` decrypts with no key file. A session's secrets are read when its handshake
 * ends, after its first packets: packets are held for HOLD_MS before they are written, and
 * secrets are written at once, so each DSB lands before the packets it unlocks.
 * The file holds secrets: 0600, appended to (as a new section) only if already 0600 and ours.
 */
import fs from 'node:fs';
import type { PacketEvent } from '../../capture/captured-event';
import { openSecretFile } from '../secret-file';
import {
  decryptionSecretsBlock,
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  sectionHeaderBlock,
} from './pcapng-blocks';

/** How long a packet waits for the secrets of its session (a handshake's duration, with margin). */
export const HOLD_MS = 2000;
/** Bytes of held packets; beyond it the oldest are written early (their session may then stay encrypted). */
const MAX_HELD_BYTES = 64 * 1024 * 1024;
const FLUSH_EVERY_MS = 250;

export interface PcapInterface {
  readonly ifindex: number;
  readonly name: string;
  readonly linkType: number;
}

export interface PcapngStats {
  packetsWritten: number;
  /** Packets from an interface not in the file's interface list. */
  unknownInterface: number;
  secretBlocks: number;
  /** Packets written before their hold time was over (too many bytes held). */
  writtenEarly: number;
}

interface HeldPacket {
  readonly block: Buffer;
  readonly dueMs: number;
}

export class PcapngFile {
  readonly stats: PcapngStats = { packetsWritten: 0, unknownInterface: 0, secretBlocks: 0, writtenEarly: 0 };
  readonly appended: boolean;
  private readonly fd: number;
  private readonly interfaceIds = new Map<number, number>();
  private held: HeldPacket[] = [];
  private heldStart = 0;
  private heldBytes = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly file: string,
    readonly interfaces: readonly PcapInterface[],
    readonly snaplen: number,
    application: string,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    const opened = openSecretFile(file, 'pcapng file');
    this.fd = opened.fd;
    this.appended = opened.appended;
    const header = [sectionHeaderBlock(application)];
    interfaces.forEach((iface, id) => {
      this.interfaceIds.set(iface.ifindex, id);
      header.push(interfaceDescriptionBlock(iface.linkType, snaplen, iface.name));
    });
    fs.writeSync(this.fd, Buffer.concat(header));
    this.timer = setInterval(() => this.flush(false), FLUSH_EVERY_MS).unref();
  }

  /** Key log lines (from KeyLogBook): one Decryption Secrets Block, written now. */
  writeSecrets(keyLog: string): void {
    if (keyLog === '' || this.closed) return;
    fs.writeSync(this.fd, decryptionSecretsBlock(keyLog));
    this.stats.secretBlocks++;
  }

  addPacket(packet: PacketEvent): void {
    if (this.closed) return;
    const id = this.interfaceIds.get(packet.ifindex);
    if (id === undefined) {
      this.stats.unknownInterface++;
      return;
    }
    const comment = `pid=${packet.pid} comm=${packet.comm}`;
    // The block copies the frame: the batch it points into is not kept.
    const block = enhancedPacketBlock(id, packet.timestampNs, packet.frame, packet.originalLength, comment);
    this.held.push({ block, dueMs: this.nowMs() + HOLD_MS });
    this.heldBytes += block.length;
    if (this.heldBytes > MAX_HELD_BYTES) this.flush(false, true);
  }

  /** Writes the packets whose hold time is over (all of them with `all`). */
  flush(all: boolean, overBudget = false): void {
    if (this.closed) return;
    const now = this.nowMs();
    const blocks: Buffer[] = [];
    while (this.heldStart < this.held.length) {
      const next = this.held[this.heldStart] as HeldPacket;
      const early = overBudget && this.heldBytes > MAX_HELD_BYTES / 2;
      if (!all && !early && next.dueMs > now) break;
      if (early && next.dueMs > now) this.stats.writtenEarly++;
      blocks.push(next.block);
      this.heldBytes -= next.block.length;
      this.heldStart++;
    }
    if (this.heldStart > 1024 && this.heldStart * 2 > this.held.length) {
      this.held = this.held.slice(this.heldStart);
      this.heldStart = 0;
    }
    if (blocks.length === 0) return;
    fs.writeSync(this.fd, Buffer.concat(blocks));
    this.stats.packetsWritten += blocks.length;
  }

  /** Writes every held packet and closes the file. */
  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush(true);
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
