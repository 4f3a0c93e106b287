{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['order_day'],
    on_schema_change='append_new_columns',
    lookback=6
) }}
select order_id, amount, dt, order_day
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where order_day in (sluice_listed((select order_day from {{ ref('stg_orders') }} where dt >= sluice_incremental_from())))
{% endif %}
