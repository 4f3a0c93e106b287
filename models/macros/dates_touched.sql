{#- The event dates an incremental mart rebuilds: the dates of silver.events' rows that arrived in
    the raw hours of this run's window (dt >= sluice_incremental_from(): the hours since the
    mart's last run, and on Athena its lookback before them). silver.events and
    silver.order_items rewrote exactly these event_date partitions, a late event for an old day
    included (its row carries the new raw hour and the old date). A mart's row depends only on
    the upstream rows of its own date, so rebuilding these dates from their whole upstream
    partitions gives the rows a full build gives. A change of a mart's SQL or of a seed it joins
    reaches the other dates with --full-refresh.
    Written as sluice_listed(): the local lake runs the subquery first and binds the dates as
    literals, so the mart reads only those dates' partitions of silver.events (Athena runs the
    subquery as it stands).
    e.g. {% if is_incremental() %} where event_date in ({{ dates_touched() }}) {% endif %} -#}
{% macro dates_touched() -%}
sluice_listed((select distinct event_date from {{ ref('events') }} where dt >= sluice_incremental_from()))
{%- endmacro %}
