import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Thin wrappers around the Debian tools a person's setup stands in for:
 * `oathtool` (OATH Toolkit) plays the authenticator app, `zbarimg` (zbar-tools)
 * plays the phone camera that scans the QR code. Every call has a timeout.
 */

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, command)));
}

export const hasOathtool = onPath("oathtool");
export const hasZbarimg = onPath("zbarimg");

/** oathtool's `--now` value for a time in milliseconds (whole seconds since the epoch, in UTC). */
export function oathtoolTime(milliseconds: number): string {
  return new Date(Math.floor(milliseconds / 1000) * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

/**
 * The TOTP code oathtool computes for a base32 key: at the real time when `atMilliseconds`
 * is left out (exactly what an authenticator app shows now), else at that time.
 */
export function oathtoolTotp(keyBase32: string, atMilliseconds?: number, extraArgs: string[] = []): string {
  const args = ["--totp", ...extraArgs, "-b", keyBase32];
  if (atMilliseconds !== undefined) args.push("--now", oathtoolTime(atMilliseconds));
  return execFileSync("oathtool", args, { encoding: "utf8", timeout: 10_000 }).trim();
}

/** oathtool with a hex key (RFC 6238 test vectors). */
export function oathtoolTotpHex(keyHex: string, atMilliseconds: number, extraArgs: string[] = []): string {
  return execFileSync("oathtool", ["--totp", ...extraArgs, keyHex, "--now", oathtoolTime(atMilliseconds)], { encoding: "utf8", timeout: 10_000 }).trim();
}

/** The PNG bytes of a `data:image/png;base64,…` URL (throws on anything else). */
export function pngFromDataUrl(dataUrl: string): Buffer {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!match) throw new Error(`not a base64 PNG data URL: ${dataUrl.slice(0, 40)}…`);
  return Buffer.from(match[1]!, "base64");
}

/**
 * Decodes the QR code(s) in a PNG with `zbarimg --raw -q`, as a phone camera would.
 * Writes the image to `keepAs` when given (to look at later), else to a temp file.
 */
export async function zbarDecodePng(png: Buffer, keepAs?: string): Promise<string> {
  const dir = keepAs ? null : await mkdtemp(join(tmpdir(), "twostep-qr-"));
  const file = keepAs ?? join(dir!, "qr.png");
  try {
    await writeFile(file, png);
    // zbarimg ends each symbol with a newline; only that one newline is removed.
    return execFileSync("zbarimg", ["--raw", "-q", file], { encoding: "utf8", timeout: 10_000 }).replace(/\n$/, "");
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
