/**
 * The interfaces the pcapng packets are taken on: their index and link type from
 * /sys/class/net. The TC classifier parses an Ethernet header, so interfaces without one
 * (tun, WireGuard) are skipped and said so.
 */
import fs from 'node:fs';
import path from 'node:path';

const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const LINKTYPE_ETHERNET = 1;

export interface NetInterface {
  readonly name: string;
  readonly ifindex: number;
  readonly linkType: number;
  readonly loopback: boolean;
}

export interface ResolvedInterfaces {
  readonly interfaces: NetInterface[];
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

function readNumber(file: string): number | undefined {
  try {
    return Number.parseInt(fs.readFileSync(file, 'latin1').trim(), 10);
  } catch {
    return undefined;
  }
}

/** `names` empty: lo and every interface that is up. */
export function resolvePcapInterfaces(names: readonly string[], sysNet = '/sys/class/net'): ResolvedInterfaces {
  const wanted =
    names.length > 0
      ? names
      : fs.readdirSync(sysNet).filter((name) => {
          if (name === 'lo') return true;
          try {
            return fs.readFileSync(path.join(sysNet, name, 'operstate'), 'latin1').trim() === 'up';
          } catch {
            return false;
          }
        });
  const result: ResolvedInterfaces = { interfaces: [], skipped: [] };
  for (const name of wanted) {
    const ifindex = readNumber(path.join(sysNet, name, 'ifindex'));
    const type = readNumber(path.join(sysNet, name, 'type'));
    if (ifindex === undefined || type === undefined) result.skipped.push({ name, reason: 'no such interface' });
    else if (type !== ARPHRD_ETHER && type !== ARPHRD_LOOPBACK)
      result.skipped.push({ name, reason: `link type ${type} has no Ethernet header` });
    else result.interfaces.push({ name, ifindex, linkType: LINKTYPE_ETHERNET, loopback: type === ARPHRD_LOOPBACK });
  }
  return result;
}
