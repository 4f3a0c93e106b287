{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['dt'],
    lookback=var('lookback_hours', 3)
) }}
{#- One row per raw line, blank ones included: parsed, typed, and either valid (reject_reason is
    null) or not. Lines that are not text (a NUL byte, invalid UTF-8, shown as U+FFFD) are
    rejected with their own reason; the lake keeps their exact bytes under .sluice/quarantine/.
    A table, so the raw JSON is parsed once per build: silver.events, silver.rejected_events
    and the reconciliation read these typed rows. Incremental runs rebuild only the raw hours
    of the window (dt partitions); source_window() lets the local lake read just those hour
    folders instead of listing the whole raw zone. event_timestamp is UTC whatever offset the
    event carries: Trino's cast of a timestamp with time zone keeps the value's own wall time
    (10:00+02:00 -> 10:00), so it is moved to UTC first (at_timezone) and event_date is the UTC
    date on both engines. The fields are read through models/macros/json.sql: on the local lake
    json_fields() parses each line's JSON once for all of them. -#}
with parsed as (
    select
        dt,
        line,
        try(json_parse(line)) as j
    from {{ source_window('raw', 'events') }}
    {% if is_incremental() %}
    where dt >= sluice_incremental_from()
    {% endif %}
),

typed as (
    select
        dt,
        line,
        j,
        {{ json_text('event_id') }} as event_id,
        {{ json_text('event_type') }} as event_type,
        {{ json_text('session_id') }} as session_id,
        {{ json_text('event_timestamp') }} as event_timestamp_raw,
        try(cast(at_timezone(from_iso8601_timestamp({{ json_text('event_timestamp') }}), 'UTC') as timestamp)) as event_timestamp,
        {{ json_text('customer.customer_id') }} as customer_id_raw,
        {{ json_bigint('customer.customer_id') }} as customer_id,
        {{ json_text('customer.country') }} as country,
        {{ json_text('session.channel') }} as channel,
        {{ json_text('session.device') }} as device,
        {{ json_bigint('product.product_id') }} as product_id,
        {{ json_text('product.product_name') }} as product_name,
        {{ json_text('product.category') }} as category,
        {{ json_decimal('product.price') }} as price,
        {{ json_bigint('quantity') }} as quantity,
        {{ json_text('order.order_id') }} as order_id,
        {{ json_decimal('order.order_total') }} as order_total,
        try(cast(json_array_length({{ json_value('order.items') }}) as bigint)) as order_item_count,
        {{ json_text('payment.method') }} as payment_method,
        json_format({{ json_value('order.items') }}) as order_items_json
    from {{ json_fields('parsed', [
        'event_id', 'event_type', 'session_id', 'event_timestamp',
        'customer.customer_id', 'customer.country', 'session.channel', 'session.device',
        'product.product_id', 'product.product_name', 'product.category', 'product.price',
        'quantity', 'order.order_id', 'order.order_total', 'order.items', 'payment.method'
    ]) }}
)

select
    line,
    event_id,
    event_type,
    session_id,
    event_timestamp,
    customer_id,
    country,
    channel,
    device,
    product_id,
    product_name,
    category,
    price,
    quantity,
    order_id,
    order_total,
    order_item_count,
    payment_method,
    order_items_json,
    case
        when line is null or regexp_like(line, '^\s*$') then 'blank_line'
        when strpos(line, chr(0)) > 0 then 'nul_byte'
        when strpos(line, chr(65533)) > 0 then 'invalid_utf8'
        when j is null then 'malformed_json'
        when event_id is null then 'missing_event_id'
        when event_type is null then 'missing_event_type'
        when event_type not in ('product_view', 'add_to_cart', 'checkout_started', 'order_paid') then 'unknown_event_type'
        when session_id is null then 'missing_session_id'
        when event_timestamp is null then 'invalid_event_timestamp'
        when customer_id is null then 'invalid_customer_id'
        when country is null then 'missing_country'
        when event_type in ('product_view', 'add_to_cart') and (product_id is null or price is null) then 'invalid_product'
        when event_type = 'add_to_cart' and (quantity is null or quantity < 1) then 'invalid_quantity'
        when event_type in ('checkout_started', 'order_paid') and (order_id is null or order_total is null or order_item_count is null or order_item_count < 1) then 'invalid_order'
    end as reject_reason,
    dt
from typed
