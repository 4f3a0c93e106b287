{#- Customer lifetime value: order totals and quantities per customer. Money is DECIMAL: sums are
    exact, so incremental and full builds agree to the cent (see macros/money.sql). -#}
with orders as (
    select
        customer_id,
        order_id,
        max_by(country, event_timestamp) as country,
        min(event_timestamp) as ordered_at,
        sum(order_item_qty) as units,
        cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as order_value
    from {{ ref('order_items') }}
    group by customer_id, order_id
)

select
    customer_id,
    max_by(country, ordered_at) as country,
    count(*) as orders,
    sum(units) as units,
    cast(sum(order_value) as decimal(38, 2)) as lifetime_value,
    {{ money_avg('sum(order_value)', 'count(*)') }} as avg_order_value,
    min(ordered_at) as first_order_at,
    max(ordered_at) as last_order_at
from orders
group by customer_id
