{#- Customer lifetime value: order totals and quantities per customer. -#}
with orders as (
    select
        customer_id,
        order_id,
        max_by(country, event_timestamp) as country,
        min(event_timestamp) as ordered_at,
        sum(order_item_qty) as units,
        sum(order_item_qty * unit_price) as order_value
    from {{ ref('order_items') }}
    group by customer_id, order_id
)

select
    customer_id,
    max_by(country, ordered_at) as country,
    count(*) as orders,
    sum(units) as units,
    round(sum(order_value), 2) as lifetime_value,
    round(sum(order_value) / count(*), 2) as avg_order_value,
    min(ordered_at) as first_order_at,
    max(ordered_at) as last_order_at
from orders
group by customer_id
