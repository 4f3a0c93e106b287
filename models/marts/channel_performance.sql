{#- Marketing channel performance: sessions, paid orders, revenue and conversion per day and
    channel (a session with events on two days counts on both). Money is DECIMAL (exact sums;
    see macros/money.sql). -#}
with by_session as (
    select
        event_date,
        channel,
        session_id,
        max(case when event_type = 'order_paid' then 1 else 0 end) as converted
    from {{ ref('events') }}
    group by event_date, channel, session_id
),

paid as (
    select
        event_date,
        channel,
        count(distinct order_id) as orders,
        cast(sum(order_total) as decimal(38, 2)) as revenue
    from {{ ref('events') }}
    where event_type = 'order_paid'
    group by event_date, channel
)

select
    s.event_date,
    s.channel,
    count(*) as sessions,
    sum(s.converted) as converted_sessions,
    coalesce(max(p.orders), 0) as orders,
    cast(coalesce(max(p.revenue), 0) as decimal(38, 2)) as revenue,
    round(cast(sum(s.converted) as double) / count(*), 4) as conversion_rate,
    {{ money_avg('coalesce(max(p.revenue), 0)', 'max(p.orders)') }} as avg_order_value
from by_session as s
left join paid as p
    on p.channel = s.channel
    and p.event_date = s.event_date
group by s.event_date, s.channel
