/**
 * CSV cells (RFC 4180) that a spreadsheet cannot turn into a formula: a cell
 * starting with = + - @ (or a tab or carriage return, which some programs skip
 * before reading one) gets a leading apostrophe, so an email or user agent an
 * attacker chose cannot run as a formula when an admin opens the export.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** YYYY-MM-DD as the UTC midnight it starts at; null when it is not a real date. */
export function utcDayStart(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const time = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text ? null : time;
}
