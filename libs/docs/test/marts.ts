import { SEED_SHEETS } from "../src/index.js";
import type { SheetSpec, TdsInput } from "../src/index.js";

/** A mart's data source as `sluice tableau` builds it, with hostile characters in its caption. */
const mart = (name: string, columns: [string, string][]): TdsInput => ({
  name,
  caption: `${name} <mart> & 'co'`,
  region: "eu-west-1",
  workgroup: "sluice",
  s3StagingDir: "s3://results/q/",
  database: "ecommerce_marts",
  table: name,
  columns: columns.map(([n, type]) => ({ name: n, type, description: `${n} of ${name}` })),
});

/** The five marts as the models project builds them (names and catalog types). */
export const marts: TdsInput[] = [
  mart("sales_by_country", [
    ["order_date", "DATE"],
    ["country", "VARCHAR"],
    ["country_iso2", "VARCHAR"],
    ["country_iso3", "VARCHAR"],
    ["revenue", "DECIMAL(38,2)"],
  ]),
  mart("hourly_sales_by_category", [
    ["order_date", "DATE"],
    ["order_hour", "TIMESTAMP"],
    ["category", "VARCHAR"],
    ["revenue", "DECIMAL(38,2)"],
  ]),
  mart("customer_lifetime_value", [
    ["order_date", "DATE"],
    ["customer_id", "BIGINT"],
    ["order_value", "DECIMAL(38,2)"],
  ]),
  mart("funnel", [
    ["event_date", "DATE"],
    ["stage_order", "INTEGER"],
    ["stage", "VARCHAR"],
    ["sessions", "BIGINT"],
  ]),
  mart("channel_performance", [
    ["event_date", "DATE"],
    ["channel", "VARCHAR"],
    ["orders", "BIGINT"],
    ["revenue", "DECIMAL(38,2)"],
  ]),
];

/** The seed's five views, each named `View <exposure>`. */
export const sheets: SheetSpec[] = Object.entries(SEED_SHEETS).map(([name, spec]) => ({
  name: `View ${name}`,
  ...spec,
}));
