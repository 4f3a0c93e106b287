{{ config(materialized='table', partitioned_by=['event_date']) }}
{#- One row per item of each paid order: silver.events' order_paid rows (already deduplicated
    and typed) with their order.items array unnested. Reads Parquet, not the raw JSON. -#}
with items as (
    select
        e.*,
        item_index
    from {{ ref('events') }} as e
    cross join unnest(sequence(0, e.order_item_count - 1)) as t(item_index)
    where e.event_type = 'order_paid'
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
    try(cast(json_extract_scalar(order_items_json, '$[' || cast(item_index as varchar) || '].product_id') as bigint)) as product_id,
    json_extract_scalar(order_items_json, '$[' || cast(item_index as varchar) || '].product_name') as product_name,
    json_extract_scalar(order_items_json, '$[' || cast(item_index as varchar) || '].category') as category,
    try(cast(json_extract_scalar(order_items_json, '$[' || cast(item_index as varchar) || '].quantity') as bigint)) as order_item_qty,
    try(cast(json_extract_scalar(order_items_json, '$[' || cast(item_index as varchar) || '].unit_price') as double)) as unit_price,
    event_date
from items
