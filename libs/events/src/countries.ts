/** A country customers come from: English short name as in ISO 3166-1, with its codes. */
export interface Country {
  /** The value of `customer.country` in events. */
  name: string;
  iso2: string;
  iso3: string;
  /** Relative share of customers. */
  weight: number;
}

/**
 * The weighted customer countries (names exactly as ISO 3166-1 lists them, so a seed CSV maps
 * them to codes Tableau can place on a map).
 */
export const countries: readonly Country[] = [
  { name: "United States of America", iso2: "US", iso3: "USA", weight: 30 },
  {
    name: "United Kingdom of Great Britain and Northern Ireland",
    iso2: "GB",
    iso3: "GBR",
    weight: 10,
  },
  { name: "Germany", iso2: "DE", iso3: "DEU", weight: 9 },
  { name: "France", iso2: "FR", iso3: "FRA", weight: 6 },
  { name: "Canada", iso2: "CA", iso3: "CAN", weight: 6 },
  { name: "Australia", iso2: "AU", iso3: "AUS", weight: 4 },
  { name: "Japan", iso2: "JP", iso3: "JPN", weight: 4 },
  { name: "India", iso2: "IN", iso3: "IND", weight: 3 },
  { name: "Spain", iso2: "ES", iso3: "ESP", weight: 3 },
  { name: "Italy", iso2: "IT", iso3: "ITA", weight: 3 },
  { name: "Brazil", iso2: "BR", iso3: "BRA", weight: 3 },
  { name: "Mexico", iso2: "MX", iso3: "MEX", weight: 2.5 },
  { name: "Sweden", iso2: "SE", iso3: "SWE", weight: 1.5 },
  { name: "Poland", iso2: "PL", iso3: "POL", weight: 1.5 },
  { name: "Belgium", iso2: "BE", iso3: "BEL", weight: 1.2 },
  { name: "Switzerland", iso2: "CH", iso3: "CHE", weight: 1.2 },
  { name: "Austria", iso2: "AT", iso3: "AUT", weight: 1 },
  { name: "Ireland", iso2: "IE", iso3: "IRL", weight: 1 },
  { name: "Denmark", iso2: "DK", iso3: "DNK", weight: 0.8 },
  { name: "Norway", iso2: "NO", iso3: "NOR", weight: 0.8 },
  { name: "Portugal", iso2: "PT", iso3: "PRT", weight: 0.8 },
  { name: "New Zealand", iso2: "NZ", iso3: "NZL", weight: 0.8 },
  { name: "Singapore", iso2: "SG", iso3: "SGP", weight: 0.8 },
  { name: "South Africa", iso2: "ZA", iso3: "ZAF", weight: 0.8 },
  { name: "Argentina", iso2: "AR", iso3: "ARG", weight: 0.7 },
  { name: "Finland", iso2: "FI", iso3: "FIN", weight: 0.6 },
  { name: "Colombia", iso2: "CO", iso3: "COL", weight: 0.6 },
  { name: "Czechia", iso2: "CZ", iso3: "CZE", weight: 0.6 },
  { name: "Chile", iso2: "CL", iso3: "CHL", weight: 0.5 },
  { name: "Israel", iso2: "IL", iso3: "ISR", weight: 0.5 },
  { name: "Greece", iso2: "GR", iso3: "GRC", weight: 0.5 },
  { name: "Romania", iso2: "RO", iso3: "ROU", weight: 0.5 },
];

/** The country list as a seed CSV (`country,iso2,iso3`), newline-terminated. */
export function countryCodesCsv(): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return (
    ["country,iso2,iso3", ...countries.map((c) => `${quote(c.name)},${c.iso2},${c.iso3}`)].join(
      "\n",
    ) + "\n"
  );
}
