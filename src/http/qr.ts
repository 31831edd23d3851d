import type QRCodeLibrary from "qrcode";

// qrcode (with pngjs) is loaded when the first QR code is drawn (an authenticator app's setup), not at start.
let library: Promise<typeof QRCodeLibrary> | undefined;

/** The QR code is drawn here, on the server (SECURITY 18): the key never goes to a third-party service. */
export async function renderQrPngDataUrl(keyUri: string): Promise<string> {
  library ??= import("qrcode").then((module) => module.default);
  return (await library).toDataURL(keyUri, { type: "image/png", errorCorrectionLevel: "M", margin: 2, scale: 6 });
}
