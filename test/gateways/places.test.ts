/**
 * Issue 17: the approximate place of an address, read with the `maxmind`
 * library from a MaxMind-format file named by TWOSTEP_GEOIP_DB. The file is
 * a real .mmdb written by test/helpers/mmdb.ts (one /24 network); the config
 * refuses a path that is not a readable file; without one there is no place.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config.js";
import { noPlaces, openPlaceFinder } from "../../src/gateways/places/places.js";
import { tinyMmdb } from "../helpers/mmdb.js";

const directory = mkdtempSync(join(tmpdir(), "twostep-geoip-"));
after(() => rmSync(directory, { recursive: true, force: true }));

describe("GeoIP places (TWOSTEP_GEOIP_DB)", () => {
  it("finds the city and country of an address in the file, and nothing for others", async () => {
    const path = join(directory, "city.mmdb");
    writeFileSync(path, tinyMmdb([203, 0, 113], { city: { names: { en: "Berlin" } }, country: { iso_code: "DE", names: { en: "Germany" } } }));
    const places = await openPlaceFinder(path);
    assert.equal(places.placeOf("203.0.113.7"), "Berlin, Germany");
    assert.equal(places.placeOf("203.0.113.255"), "Berlin, Germany");
    assert.equal(places.placeOf("203.0.114.7"), null, "outside the network");
    assert.equal(places.placeOf("198.51.100.1"), null);
    assert.equal(places.placeOf("not an address"), null);
    assert.equal(places.placeOf(null), null);
  });

  it("a country-only record gives the country", async () => {
    const path = join(directory, "country.mmdb");
    writeFileSync(path, tinyMmdb([192, 0, 2], { country: { iso_code: "FR", names: { en: "France" } } }));
    assert.equal((await openPlaceFinder(path)).placeOf("192.0.2.1"), "France");
  });

  it("without a file there is no place; a missing file stops the start; a file that is not a MaxMind database fails to open", async () => {
    assert.equal(parseConfig({ TWOSTEP_ENV: "test" }).geoipDatabase, null);
    assert.equal(await openPlaceFinder(null), noPlaces);
    assert.equal(noPlaces.placeOf("203.0.113.7"), null);
    const missing = join(directory, "nowhere.mmdb");
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_GEOIP_DB: missing }), (error: unknown) => error instanceof ConfigError && /TWOSTEP_GEOIP_DB must be a readable MaxMind-format/.test(error.message));
    assert.throws(() => parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_GEOIP_DB: directory }), ConfigError, "a folder is not a file");
    const junk = join(directory, "junk.mmdb");
    writeFileSync(junk, "not a database");
    assert.equal(parseConfig({ TWOSTEP_ENV: "test", TWOSTEP_GEOIP_DB: junk }).geoipDatabase, junk);
    await assert.rejects(openPlaceFinder(junk));
  });
});
