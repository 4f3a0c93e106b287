{{ config(partitioned_by=['order_date'], lookback=var('lookback_hours', 3)) }}
{#- Global sales heatmap: revenue and orders per day and customer country, with ISO codes so
    Tableau can place each country on a map (geographic role Country/Region). One row per
    order_date and country: the dashboard's date filter sums the days it keeps. Incremental runs
    rebuild only the days new data touched (macros/dates_touched.sql). -#}
select
    i.country,
    c.iso2 as country_iso2,
    c.iso3 as country_iso3,
    count(distinct i.order_id) as orders,
    count(distinct i.customer_id) as customers,
    sum(i.order_item_qty) as units,
    cast(sum(i.order_item_qty * i.unit_price) as decimal(38, 2)) as revenue,
    i.event_date as order_date
from {{ ref('order_items') }} as i
left join {{ ref('country_codes') }} as c
    on c.country = i.country
{% if is_incremental() %}
where i.event_date in ({{ dates_touched() }})
{% endif %}
group by i.event_date, i.country, c.iso2, c.iso3
