/**
 * An incremental model with on_schema_change='sync_all_columns' over stg_events' accepted rows:
 * `columns` between event_id and dt, new raw hours only when incremental. `strategy` is the rest
 * of its config, e.g. `incremental_strategy='append', partitioned_by=['dt']`.
 */
export const syncAllColumnsModel = (strategy: string, columns: string): string =>
  `{{ config(materialized='incremental', ${strategy}, on_schema_change='sync_all_columns') }}\n` +
  `select event_id, ${columns}, dt from {{ ref('stg_events') }} where reject_reason is null\n` +
  "{% if is_incremental() %} and dt >= sluice_incremental_from() {% endif %}\n";
