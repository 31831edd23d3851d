import { BlockList, isIP } from "node:net";

/**
 * Loopback: 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6
 * (::ffff:127.0.0.1, what a dual-stack socket reports). Anything else, a
 * wildcard such as 0.0.0.0 or ::, and a name other than "localhost" (it could
 * resolve anywhere) is not.
 */
const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");
loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  if (address.toLowerCase() === "localhost") return true;
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(bare);
  if (family === 0) return false;
  return loopback.check(bare, family === 4 ? "ipv4" : "ipv6");
}
