{{ config(materialized='incremental', partitioned_by=['order_day']) }}
select order_id, amount, dt, order_day
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where dt >= sluice_incremental_from()
{% endif %}
