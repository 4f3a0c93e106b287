select order_id, amount, dt, cast(substr(dt, 1, 10) as varchar) as order_day
from {{ ref('orders') }}
