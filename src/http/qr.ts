import QRCode from "qrcode";

/** The QR code is drawn here, on the server (SECURITY 18): the key never goes to a third-party service. */
export function renderQrPngDataUrl(keyUri: string): Promise<string> {
  return QRCode.toDataURL(keyUri, { type: "image/png", errorCorrectionLevel: "M", margin: 2, scale: 6 });
}
