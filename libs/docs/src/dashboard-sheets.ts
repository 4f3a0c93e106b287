import type { SheetSpec } from "./tableau-twb.js";

/**
 * The seed's five dashboard views as Tableau worksheets, by the name of the exposure that
 * declares each view (models/marts/exposures.yml); the worksheet takes the exposure's label.
 * The same views as the docs site's dashboard page, over the same marts.
 */
export const SEED_SHEETS: Record<string, Omit<SheetSpec, "name">> = {
  // World choropleth: revenue coloured by the country's ISO 3166-1 alpha-2 code (geographic role).
  global_sales_heatmap: {
    datasource: "sales_by_country",
    mark: "Multipolygon",
    rows: [{ generated: "Latitude (generated)" }],
    cols: [{ generated: "Longitude (generated)" }],
    encodings: [
      { channel: "color", field: { column: "revenue", derivation: "Sum" } },
      { channel: "lod", field: { column: "country_iso2", derivation: "None" } },
      { channel: "geometry", field: { generated: "Geometry (generated)" } },
    ],
  },
  // Revenue per hour (a continuous time axis), one line per category.
  hourly_sales_trend: {
    datasource: "hourly_sales_by_category",
    mark: "Line",
    rows: [{ column: "revenue", derivation: "Sum" }],
    cols: [{ column: "order_hour", derivation: "None", continuous: true }],
    encodings: [{ channel: "color", field: { column: "category", derivation: "None" } }],
  },
  // Customers by the value of their orders, highest first.
  customer_lifetime_value_table: {
    datasource: "customer_lifetime_value",
    mark: "Text",
    rows: [{ column: "customer_id", derivation: "None" }],
    cols: [],
    encodings: [{ channel: "text", field: { column: "order_value", derivation: "Sum" } }],
    sort: {
      field: { column: "customer_id", derivation: "None" },
      by: { column: "order_value", derivation: "Sum" },
      direction: "DESC",
    },
  },
  // Sessions per stage, the stages in funnel order.
  ecommerce_funnel: {
    datasource: "funnel",
    mark: "Bar",
    rows: [
      { column: "stage_order", derivation: "None" },
      { column: "stage", derivation: "None" },
    ],
    cols: [{ column: "sessions", derivation: "Sum" }],
    encodings: [{ channel: "label", field: { column: "sessions", derivation: "Sum" } }],
  },
  // Orders per channel, labelled with the channel's revenue.
  marketing_channel_performance: {
    datasource: "channel_performance",
    mark: "Bar",
    rows: [{ column: "channel", derivation: "None" }],
    cols: [{ column: "orders", derivation: "Sum" }],
    encodings: [{ channel: "label", field: { column: "revenue", derivation: "Sum" } }],
  },
};
