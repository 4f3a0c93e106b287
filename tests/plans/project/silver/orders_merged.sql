{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='order_id',
    table_type='iceberg'
) }}
select order_id, amount, dt
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where dt >= sluice_incremental_from()
{% endif %}
