{{ config(new_data='partitions') }}
{#- Singular test: each mart has one row per its grain (a date and a key), so the dashboard and
    Tableau can sum rows over a date range. Returns the grain values that repeat. Every grain
    holds its mart's partition date (an hour holds its order_date), so a repeated grain lies in
    one partition: an incremental build checks the partitions it rewrote, not the marts' history. -#}
select 'sales_by_country' as mart, cast(order_date as varchar) || ' ' || country as grain, count(*) as n
from {{ ref('sales_by_country') }}
group by order_date, country
having count(*) > 1
union all
select 'hourly_sales_by_category', cast(order_hour as varchar) || ' ' || category, count(*)
from {{ ref('hourly_sales_by_category') }}
group by order_hour, category
having count(*) > 1
union all
select 'customer_lifetime_value', cast(order_date as varchar) || ' ' || cast(customer_id as varchar), count(*)
from {{ ref('customer_lifetime_value') }}
group by order_date, customer_id
having count(*) > 1
union all
select 'funnel', cast(event_date as varchar) || ' ' || cast(stage_order as varchar), count(*)
from {{ ref('funnel') }}
group by event_date, stage_order
having count(*) > 1
union all
select 'channel_performance', cast(event_date as varchar) || ' ' || channel, count(*)
from {{ ref('channel_performance') }}
group by event_date, channel
having count(*) > 1
