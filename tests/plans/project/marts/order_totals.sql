select order_day, sum(amount) as total
from {{ ref('stg_orders') }}
group by order_day
