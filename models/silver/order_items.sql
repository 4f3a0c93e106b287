{{ config(materialized='table', partitioned_by=['event_date']) }}
{#- One row per item of each paid order (the order_paid event's order.items array),
    deduplicated by event_id like silver.events. -#}
with paid as (
    select
        event_id,
        event_type,
        session_id,
        event_timestamp,
        customer_id,
        country,
        channel,
        order_id,
        order_item_count,
        line,
        cast(event_timestamp as date) as event_date,
        row_number() over (partition by event_id order by dt, line) as copy_number
    from {{ ref('stg_events') }}
    where reject_reason is null
      and event_type = 'order_paid'
),

items as (
    select
        paid.*,
        item_index
    from paid
    cross join unnest(sequence(0, paid.order_item_count - 1)) as t(item_index)
    where paid.copy_number = 1
)

select
    event_id,
    event_type,
    session_id,
    event_timestamp,
    customer_id,
    country,
    channel,
    order_id,
    cast(item_index as bigint) + 1 as order_item_number,
    try(cast(json_extract_scalar(line, '$.order.items[' || cast(item_index as varchar) || '].product_id') as bigint)) as product_id,
    json_extract_scalar(line, '$.order.items[' || cast(item_index as varchar) || '].product_name') as product_name,
    json_extract_scalar(line, '$.order.items[' || cast(item_index as varchar) || '].category') as category,
    try(cast(json_extract_scalar(line, '$.order.items[' || cast(item_index as varchar) || '].quantity') as bigint)) as order_item_qty,
    try(cast(json_extract_scalar(line, '$.order.items[' || cast(item_index as varchar) || '].unit_price') as double)) as unit_price,
    event_date
from items
