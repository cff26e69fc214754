/**
 * One ABI: the generated TypeScript is current with bpf/events.h, and the native addon (built from
 * the same header) agrees with it. Needs the built addon, not root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import {
  ABI_VERSION,
  CloseReason,
  CloseReasonNames,
  RECORD_HEADER_SIZE,
  RecordHeaderLength,
  RecordHeaderOffset,
} from '../../../agent/capture/events-abi.generated';
import { checkAddonAbi, DEFAULT_ADDON_PATH, loadNativeAddon } from '../../../agent/capture/native-addon';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

test('events-abi.generated.ts is what scripts/generate-abi.js makes of bpf/events.h', () => {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'generate-abi.js'), '--check'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
});

test('the generated layout is self-consistent: fields in order, inside the header, no overlap', () => {
  let end = 0;
  for (const [field, offset] of Object.entries(RecordHeaderOffset)) {
    assert.ok(offset >= end, `${field} overlaps the field before it`);
    end = offset + RecordHeaderLength[field as keyof typeof RecordHeaderLength];
  }
  assert.ok(end <= RECORD_HEADER_SIZE);
  assert.equal(CloseReasonNames[CloseReason.FdClosed], 'fd_closed');
});

test('the native addon loads without root and reports the ABI the decoder was generated from', () => {
  const addon = loadNativeAddon(DEFAULT_ADDON_PATH);
  assert.equal(addon.abiVersion, ABI_VERSION);
  assert.equal(addon.recordHeaderSize, RECORD_HEADER_SIZE);
  assert.equal(typeof addon.CaptureSession, 'function');
});

test('an addon of another ABI is refused with both versions named', () => {
  assert.throws(
    () => checkAddonAbi({ abiVersion: ABI_VERSION + 1, recordHeaderSize: RECORD_HEADER_SIZE }, '/x.node'),
    new RegExp(`/x\\.node speaks record ABI ${ABI_VERSION + 1} .*decodes ABI ${ABI_VERSION}`),
  );
  assert.throws(() => checkAddonAbi({ abiVersion: ABI_VERSION, recordHeaderSize: 8 }, '/x.node'), /header 8 bytes/);
});
