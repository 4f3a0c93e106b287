{{ config(partitioned_by=['order_date'], lookback=var('lookback_hours', 3)) }}
{#- Customer lifetime value: order totals and quantities per customer and day, so a date range
    (the dashboard's filter, a Tableau filter) sums to the value of the customer's orders in it
    and all days sum to the lifetime value. Money is DECIMAL: sums are exact, so incremental and
    full builds agree to the cent (see macros/money.sql). Incremental runs rebuild only the days
    new data touched (macros/dates_touched.sql). -#}
with orders as (
    select
        event_date,
        customer_id,
        order_id,
        max_by(country, event_timestamp) as country,
        min(event_timestamp) as ordered_at,
        sum(order_item_qty) as units,
        cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as order_value
    from {{ ref('order_items') }}
    {% if is_incremental() %}
    where event_date in ({{ dates_touched() }})
    {% endif %}
    group by event_date, customer_id, order_id
)

select
    customer_id,
    max_by(country, ordered_at) as country,
    count(*) as orders,
    sum(units) as units,
    cast(sum(order_value) as decimal(38, 2)) as order_value,
    {{ money_avg('sum(order_value)', 'count(*)') }} as avg_order_value,
    min(ordered_at) as first_order_at,
    max(ordered_at) as last_order_at,
    event_date as order_date
from orders
group by event_date, customer_id
