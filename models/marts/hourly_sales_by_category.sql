{#- Hourly sales trend by product category (UTC hours). -#}
select
    date_trunc('hour', event_timestamp) as order_hour,
    hour(event_timestamp) as hour_of_day,
    category,
    count(distinct order_id) as orders,
    sum(order_item_qty) as units,
    cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as revenue
from {{ ref('order_items') }}
group by date_trunc('hour', event_timestamp), hour(event_timestamp), category
