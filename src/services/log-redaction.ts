/**
 * Log fields that could ever carry a secret, removed before a line is written
 * (pino's `redact`): the services' logger (bootstrap.ts) and the request log
 * (http/app.ts) both use this one list.
 */
export const redactedLogPaths = [
  "req.headers.cookie",
  "req.headers.authorization",
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.code",
  "*.token",
  "*.sessionToken",
  "*.flowId",
];
