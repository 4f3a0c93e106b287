/**
 * The table models of the models project that one more raw hour rebuilds on Athena (all
 * insert_overwrite), in build order.
 */
export const HOURLY_TABLES = [
  "ecommerce_staging.stg_events",
  "ecommerce_silver.events",
  "ecommerce_silver.rejected_events",
  "ecommerce_silver.order_items",
  ...["channel_performance", "customer_lifetime_value", "funnel", "hourly_sales_by_category"].map(
    (m) => `ecommerce_marts.${m}`,
  ),
  "ecommerce_marts.sales_by_country",
];
