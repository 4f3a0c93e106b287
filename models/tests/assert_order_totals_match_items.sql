{{ config(new_data='partitions') }}
{#- Singular test: a paid order's total equals the sum of its items, exactly (both DECIMAL).
    Returns the orders that disagree. An order and its items share the order's event_date
    partition, so an incremental build checks only the partitions it wrote of both tables. -#}
select
    e.order_id,
    e.order_total,
    sum(i.order_item_qty * i.unit_price) as items_total
from {{ ref('events') }} as e
join {{ ref('order_items') }} as i
    on i.event_id = e.event_id
where e.event_type = 'order_paid'
group by e.order_id, e.order_total
having e.order_total <> sum(i.order_item_qty * i.unit_price)
