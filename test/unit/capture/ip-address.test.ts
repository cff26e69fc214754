import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, formatIpv6 } from '../../../agent/capture/ip-address';

const v6 = (hex: string): Uint8Array => Buffer.from(hex.replace(/:/g, ''), 'hex');

test('IPv4 dotted quad', () => {
  assert.equal(formatIpv4(Uint8Array.from([10, 0, 0, 255]), 0), '10.0.0.255');
});

test('IPv6 per RFC 5952', () => {
  assert.equal(formatIpv6(v6('0000:0000:0000:0000:0000:0000:0000:0001'), 0), '::1');
  assert.equal(formatIpv6(v6('0000:0000:0000:0000:0000:0000:0000:0000'), 0), '::');
  assert.equal(formatIpv6(v6('2001:0db8:0000:0000:0001:0000:0000:0001'), 0), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6(v6('2001:0db8:0000:0001:0001:0001:0001:0001'), 0), '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIpv6(v6('0000:0000:0000:0000:0000:ffff:7f00:0001'), 0), '::ffff:127.0.0.1');
  assert.equal(formatIpv6(v6('fe80:0000:0000:0000:0000:0000:0000:0000'), 0), 'fe80::');
});
