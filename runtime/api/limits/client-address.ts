/**
 * @module
 * A client's address as the abuse limits count it. IPv4 addresses count one by one; an IPv6
 * address counts by its /64 prefix (one subscriber usually holds a whole /64, so counting single
 * IPv6 addresses would let one client take 2^64 slots). IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as
 * a dual-stack socket reports IPv4 peers) counts as the IPv4 address.
 */

/** The part of an address the per-address limits are keyed by. */
export interface AddressKey {
  /** `a.b.c.d` for IPv4, `xxxx:xxxx:xxxx:xxxx::/64` for IPv6, else the text as given. */
  readonly key: string;
  /** 127.0.0.0/8 or ::1. */
  readonly loopback: boolean;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Octets(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every(o => o <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
  let body = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted !== null) {
    const o = ipv4Octets(dotted[1]!);
    if (o === undefined) return undefined;
    tail.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
    body = body.slice(0, dotted.index);
    // `::a.b.c.d`: the match took one colon of the `::`.
    if (body.endsWith(':')) body += ':';
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every(g => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map(g => parseInt(g, 16));
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head, ...zeros, ...rest, ...tail];
}

function ipv4Key(octets: readonly number[]): AddressKey {
  return { key: octets.join('.'), loopback: octets[0] === 127 };
}

/** How the per-address limits count `address` (as the transport reports the peer). */
export function addressKey(address: string): AddressKey {
  const v4 = ipv4Octets(address);
  if (v4 !== undefined) return ipv4Key(v4);
  const g = address.includes(':') ? ipv6Groups(address) : undefined;
  if (g === undefined) return { key: address.slice(0, 64), loopback: false };
  const zeroUpTo = (n: number) => g.slice(0, n).every(x => x === 0);
  if (zeroUpTo(5) && g[5] === 0xffff)
    return ipv4Key([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  if (zeroUpTo(7) && g[7] === 1) return { key: '::1', loopback: true };
  const prefix = g.slice(0, 4).map(x => x.toString(16).padStart(4, '0'));
  return { key: `${prefix.join(':')}::/64`, loopback: false };
}
