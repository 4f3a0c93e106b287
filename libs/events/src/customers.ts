import { put, putAscii, putUint, utf8 } from "./bytes.js";
import { countries } from "./countries.js";
import { isoDay } from "./iso-time.js";
import { Prng, WeightedPicker, hashString } from "./prng.js";
import { vocabulary } from "./vocabulary.js";

/** RFC 2606 example domains: generated addresses must never reach a real mailbox. */
const domains = ["example.com", "mail.example.org", "inbox.example.net", "shopper.example"];

const countryPicker = new WeightedPicker(
  countries.map((c) => c.name),
  countries.map((c) => c.weight),
);
const CUSTOMER_STREAM = hashString("customer");
const DAY_MS = 86_400_000;
/**
 * Customers signed up in the three years before this day (2024-01-01): a customer is the same in
 * every window generated, so the date cannot depend on the window.
 */
const SIGNUP_EPOCH_DAY = Date.UTC(2024, 0, 1) / DAY_MS;

/** The first customer id; ids are `firstCustomerId + index` in the customer pool. */
export const firstCustomerId = 1001;

// JSON text of the pieces (JSON.stringify escapes whatever needs it), as bytes.
const countryBytes = countryPicker.items.map((c) => utf8(`,"country":${JSON.stringify(c)}`));
const EMAIL = utf8(',"email":"');
const domainBytes = domains.map((d) => utf8(`@${JSON.stringify(d).slice(1, -1)}","signup_date":"`));
const CUSTOMER_ID = utf8('{"customer_id":');
const CUSTOMER_END = utf8('"}');

/**
 * Writes the JSON object of the customer at `index` of the pool for `seed` into `buf` at `at`,
 * with no object or string in between; returns the offset after it. A pure function of
 * (seed, index), so a customer keeps the same country, city, email and signup date in every
 * session and every window (repeat buyers across days), with no state to hold in memory. The
 * text is `JSON.stringify` of `{ customer_id, country, city, email, signup_date }`; names and
 * cities come from the seed's faker {@link vocabulary}.
 */
export function writeCustomerJson(
  buf: Uint8Array,
  at: number,
  seed: number,
  index: number,
): number {
  // The draws are made in the order their pieces are written: country, city, name, domain, signup.
  const rng = new Prng(seed, CUSTOMER_STREAM, index);
  const country = countryPicker.pickIndex(rng);
  const words = vocabulary(seed)[country]!;
  at = put(buf, at, CUSTOMER_ID);
  at = putUint(buf, at, firstCustomerId + index);
  at = put(buf, at, countryBytes[country]!);
  at = put(buf, at, words.cities[rng.index(words.cities.length)]!);
  at = put(buf, at, EMAIL);
  at = put(buf, at, words.emailNames[rng.index(words.emailNames.length)]!);
  at = putUint(buf, at, index % 1000);
  at = put(buf, at, domainBytes[rng.index(domains.length)]!);
  at = putAscii(buf, at, isoDay(SIGNUP_EPOCH_DAY - rng.int(1, 1100)));
  return put(buf, at, CUSTOMER_END);
}
