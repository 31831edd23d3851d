/**
 * Threat: a phone number smuggling other text. libphonenumber-js finds a
 * number inside any text by default, so `+447400133917<script>` was accepted
 * and stored as +447400133917: what the user typed was not what was checked
 * (a number field that takes markup, and a check that any later use of the raw
 * value would not have had). The whole value must be the number now: junk
 * before or after, or an extension, is a 400 invalid_phone_number naming
 * phoneNumber, and nothing is stored.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseMobileNumber } from "../../src/services/factors/sms/phone-numbers.js";
import { ApiClient, assertApiError, assertChangesNothing, createObservedTestApp, type ObservedTestApp } from "../helpers/api-client.js";
import { FormClient } from "../helpers/browser-client.js";
import { seedUser } from "../helpers/runtime.js";

const allowed = ["GB", "US"];
const junk = [
  "+447400133917<script>",
  "<script>+447400133917",
  "<b>+447400133917</b>",
  "+447400133917abc",
  "+447400133917x",
  "+44 7400 133917;",
  "call +447400133917",
  "+447400133917 or +447400133918",
  "tel:+447400133917",
  "+447400133917 ext. 12",
  "+447400133917\u0000",
  "+447400133917\"><img src=x>",
];

describe("security: a phone number with junk around it", () => {
  it("the parser takes the whole value or refuses it", async () => {
    for (const input of junk) {
      const result = await parseMobileNumber(input, allowed, "GB");
      assert.ok("code" in result && result.code === "invalid_phone_number", `${JSON.stringify(input)} → ${JSON.stringify(result)}`);
    }
    for (const input of ["+447400133917", "+44 7400 133917", "+44 (0)7400 133917", "07400 133917", "+44-7400-133917", " +447400133917 "]) {
      const result = await parseMobileNumber(input, allowed, "GB");
      assert.ok("e164" in result && result.e164 === "+447400133917", `${JSON.stringify(input)} is a plain number`);
    }
  });

  describe("through the API and the pages", () => {
    let t: ObservedTestApp;
    let api: ApiClient;
    let token: string;
    let password: string;
    let browser: FormClient;
    before(async () => {
      t = await createObservedTestApp();
      api = new ApiClient(t.app);
      const seeded = await seedUser(t.deps);
      password = seeded.password;
      token = await api.sessionFor(seeded.user.email, password);
      browser = new FormClient(t.app);
      const login = await browser.post("/login", { email: seeded.user.email, password }, { csrfFrom: "/login" });
      assert.equal(login.statusCode, 303, login.body);
    });
    after(() => t.close());

    it("answers 400 invalid_phone_number and stores nothing", async () => {
      for (const phoneNumber of junk) {
        await assertChangesNothing(t, async () => {
          const response = await api.post("/api/me/two-factor/sms", { password, phoneNumber }, token);
          assertApiError(response, 400, "invalid_phone_number", "phoneNumber");
        });
        await assertChangesNothing(t, async () => {
          const response = await browser.post("/settings/two-factor/sms", { password, phoneNumber }, { csrfFrom: "/settings/two-factor/sms" });
          assert.equal(response.statusCode, 400, `${JSON.stringify(phoneNumber)}: ${response.statusCode}`);
          assert.match(response.body, /Enter a valid mobile number/);
        });
      }
    });
  });
});
