{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['dt']) }}
{#- Quarantine: every raw line that could not become an event, with the reason and the line
    itself, so nothing is dropped silently. -#}
select
    reject_reason,
    line,
    dt
from {{ ref('stg_events') }}
where reject_reason is not null
{% if is_incremental() %}
  and dt > (select max(dt) from {{ this }})
{% endif %}
