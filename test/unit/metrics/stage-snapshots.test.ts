import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction, type ConnectionFacts } from '../../../agent/capture/captured-event';
import type { RawMessage } from '../../../agent/exchange/output-record';
import { formatHostPort, parseMetricsAddress } from '../../../agent/metrics/metrics-address';
import { createPlaintapMetrics } from '../../../agent/metrics/plaintap-metrics';
import { attachedTargetCounts, nativeSnapshot, protocolSnapshot } from '../../../agent/metrics/stage-snapshots';
import { TruncationStats } from '../../../agent/metrics/truncation-stats';
import { Http1Protocol } from '../../../agent/protocols/http1/http1-protocol';
import { Http2Protocol } from '../../../agent/protocols/http2/http2-protocol';
import { RawProtocol } from '../../../agent/protocols/raw/raw-protocol';

describe('stage snapshots for the metrics', () => {
  it('attached targets: a library file counts once, attached when any probe is', () => {
    const counts = attachedTargetCounts([
      { target: 'kernel', point: 'syscalls/sys_enter_close', ok: true },
      { target: '/lib/libssl.so.3', point: 'uprobe:SSL_write', ok: true },
      { target: '/lib/libssl.so.3', point: 'uprobe:SSL_read', ok: false, error: 'x' },
      { target: '/opt/app/libssl.so.1.1', point: 'uprobe:SSL_write', ok: false, error: 'x' },
    ]);
    assert.deepEqual(counts, [
      { library: 'openssl', result: 'attached', count: 1 },
      { library: 'openssl', result: 'failed', count: 1 },
      { library: 'openssl', result: 'skipped', count: 0 },
    ]);
  });

  it('attached targets: by library, skipped files counted, every known library shown', () => {
    const counts = attachedTargetCounts(
      [
        { target: '/usr/bin/node', point: 'uprobe:SSL_write', ok: true, library: 'openssl' },
        { target: '/x/cygrpc.so', point: 'skipped', ok: false, library: 'boringssl', skipped: 'symbols hidden' },
      ],
      ['openssl', 'boringssl'],
    );
    assert.deepEqual(
      counts.filter((c) => c.count > 0),
      [
        { library: 'openssl', result: 'attached', count: 1 },
        { library: 'boringssl', result: 'skipped', count: 1 },
      ],
    );
    assert.equal(counts.length, 6);
  });

  it('native: kernel loss, batches JS could not take, malformed records', () => {
    const snapshot = nativeSnapshot(
      {
        kernelLost: 3,
        secretLost: 0,
        secretLayoutMismatch: 0,
        packetLost: 0,
        socketUnresolved: 5,
        goReadUnmatched: 6,
        records: 10,
        bytes: 100,
        batches: 2,
        droppedRecords: 4,
        droppedBatches: 1,
        backpressureWaits: 5,
      },
      {
        records: 10,
        malformed: new Map([
          ['short', 1],
          ['bad-type', 2],
        ]),
      },
    );
    assert.deepEqual(snapshot, {
      kernelLostSamples: 3,
      socketUnresolved: 5,
      goReadUnmatched: 6,
      dropped: { batch_queue_full: 4, malformed: 3 },
      readerWaits: 5,
    });
  });

  it('protocols: parse errors of the protocols that count them', () => {
    const http1 = new Http1Protocol();
    http1.stats.parseErrors['invalid-header'] = 2;
    http1.stats.skippedRanges = 1;
    http1.stats.bytesSkipped = 10;
    const snapshot = protocolSnapshot([http1, new RawProtocol()]);
    assert.deepEqual(snapshot.parseErrors, { http1: 2 });
    assert.equal(snapshot.parseErrorsByReason?.http1?.['invalid-header'], 2);
    assert.equal(snapshot.parseErrorsByReason?.http1?.['bare-cr'], 0);
    assert.deepEqual(snapshot.skippedRanges, { http1: 1 });
    assert.deepEqual(snapshot.skippedBytes, { http1: 10 });
  });

  it('truncations: cut by the cap or lost in capture', () => {
    const connection = { pid: 1 } as ConnectionFacts;
    const raw = (payload: number, length: number, truncated: boolean): RawMessage => ({
      kind: 'raw',
      connection,
      direction: Direction.Egress,
      timestampNs: 1n,
      payload: new Uint8Array(payload),
      length,
      truncated,
    });
    const stats = new TruncationStats();
    stats.observe(raw(10, 100, true));
    stats.observe(raw(100, 100, true));
    stats.observe(raw(5, 5, false));
    assert.deepEqual(stats.snapshot(), { message_cap: 1, capture_gap: 1 });
  });

  it('a scrape with every source wired names only plaintap_ series from fixed label sets', async () => {
    const metrics = createPlaintapMetrics({ version: '9.9.9', defaultMetrics: false });
    metrics.setSources({
      attachedTargets: () =>
        attachedTargetCounts([{ target: '/lib/libssl.so.3', point: 'uprobe:SSL_write', ok: true }]),
      protocols: () => protocolSnapshot([new Http1Protocol()]),
    });
    const text = await metrics.scrape();
    assert.match(text, /plaintap_attached_targets\{library="openssl",result="attached"\} 1/);
    assert.match(text, /plaintap_parse_errors_total\{protocol="http1",reason="bare-cr"\} 0/);
  });

  it('HTTP/2: frame and HPACK errors as parse errors, hostile-input events by event', async () => {
    const http2 = new Http2Protocol();
    http2.stats.frameErrors['invalid-frame'] = 2;
    http2.stats.hpackErrors['integer-overflow'] = 1;
    http2.stats.streamCapDrops = 5;
    http2.stats.rapidResetConnections = 1;
    const metrics = createPlaintapMetrics({ version: '9.9.9', defaultMetrics: false });
    metrics.setSources({ protocols: () => protocolSnapshot([http2, new Http1Protocol()]) });
    const text = await metrics.scrape();
    assert.match(text, /plaintap_parse_errors_total\{protocol="http2",reason="invalid-frame"\} 2/);
    assert.match(text, /plaintap_parse_errors_total\{protocol="http2",reason="integer-overflow"\} 1/);
    assert.match(text, /plaintap_http2_events_total\{event="frame_error"\} 2/);
    assert.match(text, /plaintap_http2_events_total\{event="hpack_error"\} 1/);
    assert.match(text, /plaintap_http2_events_total\{event="stream_cap_drop"\} 5/);
    assert.match(text, /plaintap_http2_events_total\{event="rapid_reset"\} 1/);
    assert.match(text, /plaintap_http2_events_total\{event="empty_data_flood"\} 0/);
  });
});

describe('metrics address', () => {
  it('parses and formats', () => {
    assert.deepEqual(parseMetricsAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(parseMetricsAddress('[::]:0'), { host: '::', port: 0 });
    assert.equal(parseMetricsAddress('OFF'), 'off');
    assert.ok('problem' in (parseMetricsAddress('[nope]:1') as object));
    assert.equal(formatHostPort('::1', 9464), '[::1]:9464');
    assert.equal(formatHostPort('127.0.0.1', 0), '127.0.0.1:0');
  });
});
