{{ config(partitioned_by=['event_date'], lookback=var('lookback_hours', 3)) }}
{#- E-commerce funnel: events and sessions per day and stage, and conversion between stages.
    Every day with events has all four stages (0 when none). A session with events on two days
    counts on both. Incremental runs rebuild only the days new data touched
    (macros/dates_touched.sql). -#}
with stages as (
    select stage_order, stage
    from (
        values
            (1, 'product_view'),
            (2, 'add_to_cart'),
            (3, 'checkout_started'),
            (4, 'order_paid')
    ) as s (stage_order, stage)
),

counts as (
    select
        event_date,
        event_type,
        count(*) as events,
        count(distinct session_id) as sessions
    from {{ ref('events') }}
    {% if is_incremental() %}
    where event_date in ({{ dates_touched() }})
    {% endif %}
    group by event_date, event_type
),

days as (
    select distinct event_date
    from counts
),

joined as (
    select
        d.event_date,
        s.stage_order,
        s.stage,
        coalesce(c.events, 0) as events,
        coalesce(c.sessions, 0) as sessions
    from days as d
    cross join stages as s
    left join counts as c
        on c.event_date = d.event_date
        and c.event_type = s.stage
)

select
    stage_order,
    stage,
    events,
    sessions,
    round(cast(sessions as double) / nullif(lag(sessions) over (partition by event_date order by stage_order), 0), 4) as conversion_from_previous,
    round(cast(sessions as double) / nullif(first_value(sessions) over (partition by event_date order by stage_order), 0), 4) as conversion_from_top,
    event_date
from joined
