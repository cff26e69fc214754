/**
 * The pcapng writer: blocks Wireshark reads (checked with the real tshark and capinfos), packets
 * held until their session's secrets had a chance to be written first, comments per packet.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { PacketEvent } from '../../../../agent/capture/captured-event';
import { HOLD_MS, PcapngFile } from '../../../../agent/export/pcap/pcapng-file';
import { makeTempDir } from '../../../support/temp-dir';

const hasTshark = ((): boolean => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** An Ethernet + IPv4 + TCP frame (no payload) from 127.0.0.1:port to 127.0.0.1:443. */
function frame(port: number): Uint8Array {
  const bytes = Buffer.alloc(54);
  bytes.writeUInt16BE(0x0800, 12);
  bytes[14] = 0x45;
  bytes.writeUInt16BE(40, 16);
  bytes[22] = 64;
  bytes[23] = 6;
  Buffer.from([127, 0, 0, 1, 127, 0, 0, 1]).copy(bytes, 26);
  bytes.writeUInt16BE(port, 34);
  bytes.writeUInt16BE(443, 36);
  bytes[46] = 0x50;
  bytes[47] = 0x02; // SYN
  return bytes;
}

function packet(port: number, ifindex = 1): PacketEvent {
  return {
    kind: 'packet',
    timestampNs: 1_700_000_000_123_456_789n,
    pid: 42,
    comm: 'curl',
    ifindex,
    direction: 0,
    originalLength: 54,
    frame: frame(port),
  };
}

test(
  'packets wait for their hold time; secrets go first; tshark and capinfos read the file',
  { skip: !hasTshark && 'no tshark' },
  () => {
    const file = path.join(makeTempDir('pcapng'), 'out.pcapng');
    let now = 0;
    const pcap = new PcapngFile(file, [{ ifindex: 1, name: 'lo', linkType: 1 }], 65535, 'plaintap test', () => now);
    pcap.addPacket(packet(40000));
    pcap.addPacket(packet(40001, 99)); // not an interface of the file
    pcap.flush(false);
    assert.equal(pcap.stats.packetsWritten, 0, 'held');
    const before = fs.statSync(file).size;
    pcap.writeSecrets('CLIENT_RANDOM ' + 'ab'.repeat(32) + ' ' + 'cd'.repeat(48) + '\n');
    assert.ok(fs.statSync(file).size > before, 'secrets are written at once');
    now = HOLD_MS + 1;
    pcap.flush(false);
    assert.equal(pcap.stats.packetsWritten, 1);
    pcap.addPacket(packet(40002));
    pcap.close(); // writes what is still held
    assert.deepEqual(pcap.stats, { packetsWritten: 2, unknownInterface: 1, secretBlocks: 1, writtenEarly: 0 });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    execFileSync('capinfos', [file], { stdio: 'ignore' });
    const fields = execFileSync(
      'tshark',
      ['-r', file, '-T', 'fields', '-e', 'frame.comment', '-e', 'tcp.srcport', '-e', 'frame.time_epoch'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    assert.deepEqual(
      fields
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
      [
        ['pid=42 comm=curl', '40000'],
        ['pid=42 comm=curl', '40002'],
      ],
    );
    assert.match(fields, /1700000000\.123456789/);
    // Block by block: section, interface, the secrets, then the packets.
    const bytes = fs.readFileSync(file);
    const types: number[] = [];
    for (let offset = 0; offset < bytes.length; offset += bytes.readUInt32LE(offset + 4))
      types.push(bytes.readUInt32LE(offset));
    assert.deepEqual(types, [0x0a0d0d0a, 1, 0x0a, 6, 6]);
  },
);
