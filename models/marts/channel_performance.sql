{#- Marketing channel performance: sessions, paid orders, revenue and conversion per channel. -#}
with by_session as (
    select
        channel,
        session_id,
        max(case when event_type = 'order_paid' then 1 else 0 end) as converted
    from {{ ref('events') }}
    group by channel, session_id
),

paid as (
    select
        channel,
        count(distinct order_id) as orders,
        sum(order_total) as revenue
    from {{ ref('events') }}
    where event_type = 'order_paid'
    group by channel
)

select
    s.channel,
    count(*) as sessions,
    sum(s.converted) as converted_sessions,
    coalesce(max(p.orders), 0) as orders,
    round(coalesce(max(p.revenue), 0), 2) as revenue,
    round(cast(sum(s.converted) as double) / count(*), 4) as conversion_rate,
    round(coalesce(max(p.revenue), 0) / nullif(max(p.orders), 0), 2) as avg_order_value
from by_session as s
left join paid as p
    on p.channel = s.channel
group by s.channel
