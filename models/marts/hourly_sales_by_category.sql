{{ config(partitioned_by=['order_date'], lookback=var('lookback_hours', 3)) }}
{#- Hourly sales trend by product category (UTC hours). order_date is the hour's date, for the
    dashboard's date filter and Tableau's date axis. Incremental runs rebuild only the days new
    data touched (macros/dates_touched.sql). -#}
select
    date_trunc('hour', event_timestamp) as order_hour,
    hour(event_timestamp) as hour_of_day,
    category,
    count(distinct order_id) as orders,
    sum(order_item_qty) as units,
    cast(sum(order_item_qty * unit_price) as decimal(38, 2)) as revenue,
    event_date as order_date
from {{ ref('order_items') }}
{% if is_incremental() %}
where event_date in ({{ dates_touched() }})
{% endif %}
group by event_date, date_trunc('hour', event_timestamp), hour(event_timestamp), category
