import { Faker, base, en, allLocales, type LocaleDefinition } from "@faker-js/faker";
import { utf8 } from "./bytes.js";
import { countries } from "./countries.js";
import { hash32, hashString } from "./prng.js";

/**
 * The faker locale whose names and cities fit each customer country (ISO 3166-1 alpha-2). A
 * country missing here (faker has no locale for it, or only another country's, like Spanish
 * cities for Argentina) gets English names and faker's made-up English city names.
 */
const localeOfCountry: Readonly<Record<string, string>> = {
  US: "en_US",
  GB: "en_GB",
  DE: "de",
  FR: "fr",
  CA: "en_CA",
  AU: "en_AU",
  JP: "ja",
  IN: "en_IN",
  ES: "es",
  IT: "it",
  BR: "pt_BR",
  MX: "es_MX",
  SE: "sv",
  PL: "pl",
  BE: "nl_BE",
  CH: "de_CH",
  AT: "de_AT",
  IE: "en_IE",
  DK: "da",
  NO: "nb_NO",
  PT: "pt_PT",
  ZA: "en_ZA",
  FI: "fi",
  CZ: "cs_CZ",
  IL: "he",
  GR: "el",
  RO: "ro",
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
    const locale = localeOfCountry[country.iso2];
    const definitions: LocaleDefinition[] = locale
      ? [allLocales[locale as keyof typeof allLocales], en, base]
      : [en, base];
    const faker = new Faker({ locale: definitions });
    faker.seed(hash32(seed, VOCABULARY_STREAM, hashString(country.iso2)));
    const cities = unique(CITIES_PER_COUNTRY, () => faker.location.city());
    const latin = new Faker({ locale: [en, base] });
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
