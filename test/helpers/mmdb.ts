/**
 * Writes a tiny MaxMind DB (.mmdb, format 2.0: https://maxmind.github.io/MaxMind-DB/)
 * holding one IPv4 /24 network and its record, so the GeoIP lookup can be
 * tested with the real `maxmind` reader on a real file. npm has no MMDB writer
 * for Node (only readers), and the format is small: a binary search tree of
 * 24-bit records, 16 zero bytes, the data section, then the metadata after
 * the marker "\xAB\xCD\xEFMaxMind.com".
 */
type Value = string | number | bigint | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  if (size >= 29) throw new Error("the tiny writer only writes short values");
  return type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]);
}

function unsigned(type: number, value: number | bigint): Buffer {
  let hex = BigInt(value).toString(16);
  if (hex === "0") hex = "";
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  return Buffer.concat([control(type, bytes.length), bytes]);
}

function encode(value: Value): Buffer {
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === "bigint") return unsigned(9, value);
  if (typeof value === "number") return unsigned(value > 0xffff ? 6 : 5, value);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, item]) => [encode(key), encode(item)])]);
}

function record24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** An .mmdb in which `network` (the first three octets of an IPv4 /24) maps to `record`, and nothing else does. */
export function tinyMmdb(network: [number, number, number], record: Value): Buffer {
  const bits = network.flatMap((octet) => Array.from({ length: 8 }, (_, i) => (octet >> (7 - i)) & 1));
  const nodeCount = bits.length; // one node per bit of the prefix
  const noData = nodeCount;
  const dataPointer = nodeCount + 16; // the record sits at offset 0 of the data section
  const tree = Buffer.concat(
    bits.map((bit, index) => {
      const next = index === bits.length - 1 ? dataPointer : index + 1;
      return Buffer.concat(bit === 0 ? [record24(next), record24(noData)] : [record24(noData), record24(next)]);
    }),
  );
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_790_000_000n,
    database_type: "twostep-test-City",
    description: { en: "twostep test database" },
    ip_version: 4,
    languages: ["en"],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), encode(record), Buffer.from("\xAB\xCD\xEFMaxMind.com", "latin1"), metadata]);
}
