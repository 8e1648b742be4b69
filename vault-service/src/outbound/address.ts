/**
 * Which IP addresses the vault may open a connection to. Everything that is not a public unicast
 * address is refused: loopback, unspecified, private (RFC 1918, unique local), carrier-grade NAT,
 * link-local (169.254.169.254 is the cloud metadata service), multicast, documentation and benchmark
 * ranges, and IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo), which would
 * otherwise reach the same places under another spelling.
 */
import { BlockList, isIP } from 'node:net';

// one list per family: a list holding IPv6 rules also matches IPv4 addresses through their mapped form
const NON_PUBLIC_V4 = new BlockList();
const NON_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

const LOOPBACK_V4 = new BlockList();
LOOPBACK_V4.addSubnet('127.0.0.0', 8, 'ipv4');
const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');

export type AddressClass = 'public' | 'loopback' | 'non_public' | 'invalid';

/** The class of an IP address (without brackets); an IPv4-mapped loopback is `non_public`, never `loopback`. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return 'invalid';
  if (family === 4) {
    if (LOOPBACK_V4.check(address, 'ipv4')) return 'loopback';
    return NON_PUBLIC_V4.check(address, 'ipv4') ? 'non_public' : 'public';
  }
  // an IPv4-mapped address is never "loopback", whatever it maps: that spelling is how denylists are dodged
  if (/^::ffff:/i.test(address)) return 'non_public';
  if (LOOPBACK_V6.check(address, 'ipv6')) return 'loopback';
  return NON_PUBLIC_V6.check(address, 'ipv6') ? 'non_public' : 'public';
}
