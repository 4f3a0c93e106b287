import type { Faker, FakerOptions } from "@faker-js/faker";
import { faker as cs_CZ } from "@faker-js/faker/locale/cs_CZ";
import { faker as da } from "@faker-js/faker/locale/da";
import { faker as de } from "@faker-js/faker/locale/de";
import { faker as de_AT } from "@faker-js/faker/locale/de_AT";
import { faker as de_CH } from "@faker-js/faker/locale/de_CH";
import { faker as el } from "@faker-js/faker/locale/el";
import { faker as en_AU } from "@faker-js/faker/locale/en_AU";
import { faker as en_CA } from "@faker-js/faker/locale/en_CA";
import { faker as en_GB } from "@faker-js/faker/locale/en_GB";
import { faker as en_IE } from "@faker-js/faker/locale/en_IE";
import { faker as en_IN } from "@faker-js/faker/locale/en_IN";
import { faker as en_US } from "@faker-js/faker/locale/en_US";
import { faker as en_ZA } from "@faker-js/faker/locale/en_ZA";
import { faker as es } from "@faker-js/faker/locale/es";
import { faker as es_MX } from "@faker-js/faker/locale/es_MX";
import { faker as fi } from "@faker-js/faker/locale/fi";
import { faker as fr } from "@faker-js/faker/locale/fr";
import { faker as he } from "@faker-js/faker/locale/he";
import { faker as it } from "@faker-js/faker/locale/it";
import { faker as ja } from "@faker-js/faker/locale/ja";
import { faker as nb_NO } from "@faker-js/faker/locale/nb_NO";
import { faker as nl_BE } from "@faker-js/faker/locale/nl_BE";
import { faker as pl } from "@faker-js/faker/locale/pl";
import { faker as pt_BR } from "@faker-js/faker/locale/pt_BR";
import { faker as pt_PT } from "@faker-js/faker/locale/pt_PT";
import { faker as ro } from "@faker-js/faker/locale/ro";
import { faker as sv } from "@faker-js/faker/locale/sv";
import { faker as en } from "@faker-js/faker/locale/en";
import { utf8 } from "./bytes.js";
import { countries } from "./countries.js";
import { hash32, hashString } from "./prng.js";

/**
 * The faker locale whose names and cities fit each customer country (ISO 3166-1 alpha-2). A
 * country missing here (faker has no locale for it, or only another country's, like Spanish
 * cities for Argentina) gets English names and faker's made-up English city names.
 *
 * Each locale is imported on its own (`@faker-js/faker/locale/<id>`): faker's index loads all
 * ~70 locales and builds a Faker for each, ~12 MB of RSS held for the life of the process
 * (issue #18's memory budget). Those modules' fakers chain their locale, its parent locale if it
 * has one, English and base; the pools drawn are the same as with the chain (locale, English,
 * base) used before (pinned by vocabulary.test.ts).
 */
const localeOfCountry: Readonly<Record<string, Faker>> = {
  US: en_US,
  GB: en_GB,
  DE: de,
  FR: fr,
  CA: en_CA,
  AU: en_AU,
  JP: ja,
  IN: en_IN,
  ES: es,
  IT: it,
  BR: pt_BR,
  MX: es_MX,
  SE: sv,
  PL: pl,
  BE: nl_BE,
  CH: de_CH,
  AT: de_AT,
  IE: en_IE,
  DK: da,
  NO: nb_NO,
  PT: pt_PT,
  ZA: en_ZA,
  FI: fi,
  CZ: cs_CZ,
  IL: he,
  GR: el,
  RO: ro,
};

/** How many of each a country's pools hold: enough variety, built in a few milliseconds. */
const NAMES_PER_COUNTRY = 48;
const CITIES_PER_COUNTRY = 24;

/** The vocabulary of one customer country, as the JSON bytes events are written from. */
export interface CountryVocabulary {
  /** `,"city":"<city>"` pieces. */
  cities: Buffer[];
  /** ASCII e-mail local parts `first.last` (no digits: the customer's number is appended). */
  emailNames: Buffer[];
}

/**
 * faker's Faker class, taken from a locale module's instance: importing it from the package's
 * index would load every locale.
 */
const FakerClass = en.constructor as new (options: FakerOptions) => Faker;

const VOCABULARY_STREAM = hashString("vocabulary");
let built: { seed: number; byCountry: CountryVocabulary[] } | undefined;

/**
 * Customer vocabulary (cities per country, e-mail names from each country's first and last
 * names) drawn with faker once per seed, in the order of `countries`. The hot loop only indexes
 * into these pools, so realism costs nothing per event. A pure function of the seed.
 *
 * @example
 * vocabulary(42)[countries.findIndex((c) => c.iso2 === "DE")]!.cities.length; // 24
 */
export function vocabulary(seed: number): readonly CountryVocabulary[] {
  if (built?.seed === seed) return built.byCountry;
  const byCountry = countries.map((country) => {
    const faker = new FakerClass({ locale: (localeOfCountry[country.iso2] ?? en).rawDefinitions });
    faker.seed(hash32(seed, VOCABULARY_STREAM, hashString(country.iso2)));
    const cities = unique(CITIES_PER_COUNTRY, () => faker.location.city());
    const latin = new FakerClass({ locale: en.rawDefinitions });
    latin.seed(hash32(seed, VOCABULARY_STREAM, hashString(country.iso2), 1));
    const emailNames = unique(NAMES_PER_COUNTRY, () => {
      const name = `${asciiSlug(faker.person.firstName())}.${asciiSlug(faker.person.lastName())}`;
      // Names in scripts with no ASCII form (Japanese, Hebrew, Greek) take English ones.
      return /^[a-z]+\.[a-z]+$/.test(name)
        ? name
        : `${asciiSlug(latin.person.firstName())}.${asciiSlug(latin.person.lastName())}`;
    });
    return {
      cities: cities.map((c) => utf8(`,"city":${JSON.stringify(c)}`)),
      emailNames: emailNames.map((n) => utf8(n)),
    };
  });
  built = { seed, byCountry };
  return byCountry;
}

/** `n` distinct values from `draw` (fewer if it keeps repeating itself). */
function unique(n: number, draw: () => string): string[] {
  const values = new Set<string>();
  for (let tries = 0; values.size < n && tries < n * 10; tries++) values.add(draw());
  return [...values];
}

/** Lower-case ASCII letters of a name: accents dropped, ß → ss, anything else removed. */
function asciiSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/ß/g, "ss")
    .replace(/[øØ]/g, "o")
    .replace(/[æÆ]/g, "ae")
    .replace(/[łŁ]/g, "l")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}
