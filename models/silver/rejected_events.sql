{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['dt'],
    lookback=var('lookback_hours', 3)
) }}
{#- Quarantine: every raw line that could not become an event, with the reason and the line
    itself, so nothing is dropped silently. Incremental runs rebuild the raw hours of the
    window (dt partitions) from those raw partitions only (ref_window: only their files are
    opened on the local lake). -#}
select
    reject_reason,
    line,
    dt
from {{ ref_window('stg_events', 'dt') }}
where reject_reason is not null
{% if is_incremental() %}
  and dt >= sluice_incremental_from()
{% endif %}
