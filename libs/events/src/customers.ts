import { put, putAscii, putUint, utf8 } from "./bytes.js";
import { countries } from "./countries.js";
import { isoDay } from "./iso-time.js";
import { Prng, WeightedPicker, hashString } from "./prng.js";

const firstNames = [
  "olivia",
  "liam",
  "emma",
  "noah",
  "ava",
  "lucas",
  "mia",
  "leon",
  "sofia",
  "mateo",
  "hana",
  "yuki",
  "arjun",
  "priya",
  "lena",
  "jonas",
  "chloe",
  "hugo",
  "isabela",
  "diego",
  "freya",
  "oscar",
  "zoe",
  "ethan",
  "amara",
];
const lastNames = [
  "smith",
  "muller",
  "martin",
  "garcia",
  "rossi",
  "silva",
  "tanaka",
  "kumar",
  "nowak",
  "johansson",
  "brown",
  "dubois",
  "lopez",
  "kim",
  "murphy",
  "jensen",
  "novak",
  "cohen",
  "santos",
  "nguyen",
  "wilson",
  "schmidt",
];
const domains = ["example.com", "mail.example.org", "inbox.example.net", "shopper.example"];

const countryPicker = new WeightedPicker(
  countries.map((c) => c.name),
  countries.map((c) => c.weight),
);
const CUSTOMER_STREAM = hashString("customer");
const DAY_MS = 86_400_000;

/** The first customer id; ids are `firstCustomerId + index` in the customer pool. */
export const firstCustomerId = 1001;

// JSON text of the pieces (JSON.stringify escapes whatever needs it), as bytes.
const inQuotes = (s: string) => utf8(JSON.stringify(s).slice(1, -1));
const countryBytes = countryPicker.items.map((c) =>
  utf8(`,"country":${JSON.stringify(c)},"email":"`),
);
const firstBytes = firstNames.map(inQuotes);
const lastBytes = lastNames.map((l) => utf8(`.${JSON.stringify(l).slice(1, -1)}`));
const domainBytes = domains.map((d) => utf8(`@${JSON.stringify(d).slice(1, -1)}","signup_date":"`));
const CUSTOMER_ID = utf8('{"customer_id":');
const CUSTOMER_END = utf8('"}');

/**
 * Writes the JSON object of the customer at `index` of the pool for `seed` into `buf` at `at`,
 * with no object or string in between; returns the offset after it. A pure function of
 * (seed, index), so a customer keeps the same country, email and signup date in every session
 * (repeat buyers), with no state to hold in memory and the same answer when hours are generated
 * in parallel. The text is `JSON.stringify` of `{ customer_id, country, email, signup_date }`.
 */
export function writeCustomerJson(
  buf: Uint8Array,
  at: number,
  seed: number,
  index: number,
  signupBefore: Date,
): number {
  // The draws are made in the order their pieces are written: country, first, last, domain, signup.
  const rng = new Prng(seed, CUSTOMER_STREAM, index);
  at = put(buf, at, CUSTOMER_ID);
  at = putUint(buf, at, firstCustomerId + index);
  at = put(buf, at, countryBytes[countryPicker.pickIndex(rng)]!);
  at = put(buf, at, firstBytes[rng.index(firstNames.length)]!);
  at = put(buf, at, lastBytes[rng.index(lastNames.length)]!);
  at = putUint(buf, at, index % 1000);
  at = put(buf, at, domainBytes[rng.index(domains.length)]!);
  // Round down to the day before so signup is always before the first session.
  at = putAscii(buf, at, isoDay(Math.floor(signupBefore.getTime() / DAY_MS) - rng.int(1, 1100)));
  return put(buf, at, CUSTOMER_END);
}
