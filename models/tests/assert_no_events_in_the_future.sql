{#- Singular test: no event is stamped more than 5 minutes after the build (clock skew budget). -#}
select event_id, event_timestamp
from {{ ref('events') }}
where event_timestamp > date_add('minute', 5, cast(current_timestamp as timestamp))
