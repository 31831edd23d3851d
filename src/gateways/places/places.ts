import { isIP } from "node:net";
import maxmind, { type CityResponse, type Reader } from "maxmind";
import type { PlaceFinder } from "../../services/deps.js";

/**
 * Issue 17: the approximate place of a client address, from a MaxMind-format
 * database (GeoLite2/GeoIP2 City or Country, or any .mmdb with the same
 * `city`/`country` names) read with the `maxmind` library. Only when
 * TWOSTEP_GEOIP_DB names one; without it every address has no place and the
 * pages and emails show the address itself. The file is read once at start
 * (the library keeps it in memory); a lookup is a tree walk in that buffer.
 */
export async function openPlaceFinder(path: string | null): Promise<PlaceFinder> {
  if (path === null) return noPlaces;
  return placeFinderOf(await maxmind.open<CityResponse>(path, { cache: { max: 1000 } }));
}

export const noPlaces: PlaceFinder = { placeOf: () => null };

export function placeFinderOf(reader: Pick<Reader<CityResponse>, "get">): PlaceFinder {
  return {
    placeOf(address) {
      if (address === null || isIP(address) === 0) return null;
      const found = reader.get(address);
      if (!found) return null;
      const city = found.city?.names?.en ?? null;
      const country = found.country?.names?.en ?? found.country?.iso_code ?? null;
      return [city, country].filter((part): part is string => typeof part === "string" && part !== "").join(", ") || null;
    },
  };
}
