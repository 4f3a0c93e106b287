{#- Global sales heatmap: revenue and orders per customer country, with ISO codes so Tableau
    can place each country on a map (geographic role Country/Region). -#}
select
    i.country,
    c.iso2 as country_iso2,
    c.iso3 as country_iso3,
    count(distinct i.order_id) as orders,
    count(distinct i.customer_id) as customers,
    sum(i.order_item_qty) as units,
    cast(sum(i.order_item_qty * i.unit_price) as decimal(38, 2)) as revenue
from {{ ref('order_items') }} as i
left join {{ ref('country_codes') }} as c
    on c.country = i.country
group by i.country, c.iso2, c.iso3
