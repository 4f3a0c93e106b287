{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['event_date'],
    on_schema_change='append_new_columns',
    lookback=var('lookback_hours', 3),
    carry_where='dt < sluice_incremental_from()',
    copies_share_partition=['event_id'],
    reconcile={'staging': 'stg_events', 'rejected': 'rejected_events', 'key': 'event_id', 'reason': 'reject_reason',
               'copies_share': {'silver': 'event_date', 'staging': 'cast(event_timestamp as date)'} }
) }}
{#- One row per event, deduplicated by event_id (Firehose delivers at least once): of all copies,
    the one from the oldest raw hour (dt) wins. Full build: every raw hour. Incremental: only raw
    hours from sluice_incremental_from() (the watermark minus the lookback window, bound to a
    literal by the runner; ref_window() lets the local lake open only those stg_events
    partitions instead of every hour of its history); the event_date partitions those
    rows fall in are rebuilt from them plus the rows already kept there from older raw hours.
    Copies of an event share its event_timestamp, so an earlier copy can only be in one of those
    partitions: the other partitions are not read at all (Parquet statistics skip their files).
    copies_share_partition says the same to the uniqueness checks of event_id: an incremental run
    checks its new keys against the event_date partitions it wrote (--scope full: every one).
    carry_where: the rows of older raw hours (kept) are the table's own, as they are, so the local
    lake links their files (or copies them out of a file that also holds window rows) and writes
    only the window's rows, instead of rewriting every row of a day a late event reopens. Athena
    writes the SELECT as it stands (the same rows). -#}
{#- The columns both sides of the incremental UNION ALL list by name (the table's, from kept;
    the window's, from fresh): a column added to the model is added in the last select below,
    never by `select *` of the table, whose columns lag the model's by one build. -#}
{%- set columns = [
    'event_id', 'event_type', 'session_id', 'event_timestamp', 'customer_id', 'country',
    'channel', 'device', 'product_id', 'product_name', 'category', 'price', 'quantity',
    'order_id', 'order_total', 'order_item_count', 'payment_method', 'order_items_json'
] %}
with valid as (
    select *
    from {{ ref_window('stg_events', 'dt') }}
    where reject_reason is null
    {% if is_incremental() %}
      and dt >= sluice_incremental_from()
    {% endif %}
),
{% if is_incremental() %}
{#- The dates of the window's valid rows, as sluice_listed(): the local lake runs the subquery
    first and binds its dates as literals, so only those event_date partitions of this table are
    read (a subquery's values prune no file: every day of history was read). -#}
{%- set kept_rows %}
    from {{ this }}
    where dt < sluice_incremental_from()
      and event_date in (sluice_listed((
          select cast(event_timestamp as date)
          from {{ ref_window('stg_events', 'dt') }}
          where reject_reason is null
            and dt >= sluice_incremental_from()
      )))
{%- endset %}
kept as (
    select {{ columns | join(', ') }}, dt, event_date
    {{- kept_rows }}
),
{#- The keys of the kept rows, read on their own: a CTE read twice is materialized by DuckDB
    (every column of the kept partitions read), while read once it is inlined, and then the
    lake's carry_where filter prunes the kept branch's row groups and this reads one column. #}
kept_ids as (
    select event_id
    {{- kept_rows }}
),
{% endif %}

ranked as (
    select
        *,
        row_number() over (partition by event_id order by dt, event_timestamp, line) as copy_number
    from valid
),

fresh as (
    select {{ columns | join(', ') }}, dt, cast(event_timestamp as date) as event_date
    from ranked
    where copy_number = 1
    {% if is_incremental() %}
      and event_id not in (select event_id from kept_ids)
    {% endif %}
),

events as (
    select * from fresh
    {% if is_incremental() %}
    union all
    select * from kept
    {% endif %}
)

{# A new column goes here (before dt), computed from the columns above: the rows kept from the
   table get it too, whether or not the table has it yet; rows of partitions this run does not
   rewrite read NULL (on_schema_change adds it to the table). #}
select
    {{ columns | join(',\n    ') }},
    dt,
    event_date
from events
