import { countries } from "./countries.js";
import { isoDay } from "./iso-time.js";
import { Prng, WeightedPicker, hashString } from "./prng.js";
import type { Customer } from "./schema.js";

const firstNames = [
  "olivia", "liam", "emma", "noah", "ava", "lucas", "mia", "leon", "sofia", "mateo", "hana", "yuki", "arjun",
  "priya", "lena", "jonas", "chloe", "hugo", "isabela", "diego", "freya", "oscar", "zoe", "ethan", "amara",
];
const lastNames = [
  "smith", "muller", "martin", "garcia", "rossi", "silva", "tanaka", "kumar", "nowak", "johansson", "brown",
  "dubois", "lopez", "kim", "murphy", "jensen", "novak", "cohen", "santos", "nguyen", "wilson", "schmidt",
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

/**
 * The customer at `index` of the pool for `seed`. A pure function of (seed, index), so a customer
 * keeps the same country, email and signup date in every session (repeat buyers), with no state
 * to hold in memory and the same answer when hours are generated in parallel.
 */
export function customerAt(seed: number, index: number, signupBefore: Date): Customer {
  const rng = new Prng(seed, CUSTOMER_STREAM, index);
  const country = countryPicker.pick(rng);
  const first = rng.pick(firstNames);
  const last = rng.pick(lastNames);
  const email = `${first}.${last}${index % 1000}@${rng.pick(domains)}`;
  // Round down to the day before so signup is always before the first session.
  const signupDay = Math.floor(signupBefore.getTime() / DAY_MS) - rng.int(1, 1100);
  return {
    customer_id: firstCustomerId + index,
    country,
    email,
    signup_date: isoDay(signupDay),
  };
}
