import { isIP } from "node:net";
import { ConfigError } from "./config-env.js";

/* How twostep is reached: the URL people use (TWOSTEP_PUBLIC_URL) and the proxies in front of it (TWOSTEP_TRUST_PROXY). */

/** false: the socket's peer is the client. A number: that many trusted hops. A list: the trusted proxies' addresses or CIDRs. */
export type TrustProxy = false | number | string[];

/**
 * "true" would trust every hop, so the left-most X-Forwarded-For value wins: behind
 * a proxy that appends (nginx's $proxy_add_x_forwarded_for) that is whatever the
 * client sent, and the per-address throttle and the event log believe it. So it is
 * refused; the hop count or the proxies' addresses say exactly whom to believe.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? "").trim();
  if (value === "" || value === "false" || value === "0") return false;
  if (value === "true") {
    throw new ConfigError(
      "TWOSTEP_TRUST_PROXY=true would let any client choose its address with X-Forwarded-For; give the number of proxies in front of twostep (e.g. TWOSTEP_TRUST_PROXY=1) or their addresses (e.g. TWOSTEP_TRUST_PROXY=127.0.0.1,10.0.0.0/8)",
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError(`TWOSTEP_TRUST_PROXY must be a number of proxies from 0 to 10, or their addresses, not "${value}"`);
    return hops;
  }
  const entries = value.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split("/");
    const family = isIP(address ?? "");
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(`TWOSTEP_TRUST_PROXY must be false, a number of proxies (e.g. 1), or proxy addresses or CIDRs, comma-separated (e.g. 127.0.0.1,10.0.0.0/8); "${entry}" is none of these`);
    }
  }
  return entries;
}

/**
 * TWOSTEP_PUBLIC_URL: an origin only. twostep serves every page, cookie and the OpenID Connect issuer from the root
 * of its own host, so a path (a prefix behind a proxy), a query or credentials would make links, cookies and the
 * issuer disagree with what the browser and the apps see: refused at start, naming the variable.
 */
export function parsePublicUrl(value: string | undefined, port: number): string {
  if (value === undefined) return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`TWOSTEP_PUBLIC_URL must be a URL such as https://login.example.com, not "${value}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError(`TWOSTEP_PUBLIC_URL must start with https:// (or http:// while developing), not "${value}"`);
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`TWOSTEP_PUBLIC_URL must be an origin only (scheme, host and port), such as ${url.origin}: twostep serves from the root of its own host, not under a path ("${value}")`);
  }
  return url.origin;
}
