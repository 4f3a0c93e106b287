{{ config(partitioned_by=['event_date'], lookback=var('lookback_hours', 3)) }}
{#- Marketing channel performance: sessions, paid orders, revenue and conversion per day and
    channel (a session with events on two days counts on both). Money is DECIMAL (exact sums;
    see macros/money.sql). Incremental runs rebuild only the days new data touched
    (macros/dates_touched.sql). -#}
with by_session as (
    select
        event_date,
        channel,
        session_id,
        max(case when event_type = 'order_paid' then 1 else 0 end) as converted
    from {{ ref('events') }}
    {% if is_incremental() %}
    where event_date in ({{ dates_touched() }})
    {% endif %}
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
    {% if is_incremental() %}
    and event_date in ({{ dates_touched() }})
    {% endif %}
    group by event_date, channel
)

select
    s.channel,
    count(*) as sessions,
    sum(s.converted) as converted_sessions,
    coalesce(max(p.orders), 0) as orders,
    cast(coalesce(max(p.revenue), 0) as decimal(38, 2)) as revenue,
    round(cast(sum(s.converted) as double) / count(*), 4) as conversion_rate,
    {{ money_avg('coalesce(max(p.revenue), 0)', 'max(p.orders)') }} as avg_order_value,
    s.event_date
from by_session as s
left join paid as p
    on p.channel = s.channel
    and p.event_date = s.event_date
group by s.event_date, s.channel
