{{ config(
    materialized='incremental',
    incremental_strategy='append',
    partitioned_by=['event_date'],
    unique_key='event_id'
) }}
{#- One row per event, deduplicated by event_id (Firehose delivers at least once).
    Full build: every raw hour. Incremental: only raw hours after the newest one already loaded,
    minus events already present (duplicates that arrive in a later hour). -#}
with valid as (
    select *
    from {{ ref('stg_events') }}
    where reject_reason is null
    {% if is_incremental() %}
      and dt > (select max(dt) from {{ this }})
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (partition by event_id order by dt, event_timestamp, line) as copy_number
    from valid
)

select
    event_id,
    event_type,
    session_id,
    event_timestamp,
    customer_id,
    country,
    channel,
    device,
    product_id,
    product_name,
    category,
    price,
    quantity,
    order_id,
    order_total,
    order_item_count,
    payment_method,
    dt,
    cast(event_timestamp as date) as event_date
from ranked
where copy_number = 1
{% if is_incremental() %}
  and event_id not in (select event_id from {{ this }})
{% endif %}
