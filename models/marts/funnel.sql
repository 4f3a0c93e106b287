{#- E-commerce funnel: events and sessions per stage, and conversion between stages. -#}
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
        event_type,
        count(*) as events,
        count(distinct session_id) as sessions
    from {{ ref('events') }}
    group by event_type
),

joined as (
    select
        s.stage_order,
        s.stage,
        coalesce(c.events, 0) as events,
        coalesce(c.sessions, 0) as sessions
    from stages as s
    left join counts as c
        on c.event_type = s.stage
)

select
    stage_order,
    stage,
    events,
    sessions,
    round(cast(sessions as double) / nullif(lag(sessions) over (order by stage_order), 0), 4) as conversion_from_previous,
    round(cast(sessions as double) / nullif(first_value(sessions) over (order by stage_order), 0), 4) as conversion_from_top
from joined
