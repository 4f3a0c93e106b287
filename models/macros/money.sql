{#- Money is DECIMAL from staging to the marts: amounts DECIMAL(18, 2), sums DECIMAL(38, 2).
    money_avg(total, n): total / n as DECIMAL(18, 2), rounded half away from zero as Trino
    rounds decimals. Worked in integer cents because DuckDB's `/` on a DECIMAL returns a DOUBLE
    (Trino's stays DECIMAL): this way neither engine divides a DOUBLE, and both give the same
    cents. NULL when n is 0 or NULL. `total` is a DECIMAL of scale 2; both are SQL expressions.
    e.g. money_avg('sum(order_value)', 'count(*)') -#}
{% macro money_avg(total, n) -%}
cast(
        cast(
            case when {{ total }} < 0 then -1 else 1 end
            * ((2 * abs(cast({{ total }} * 100 as bigint)) + ({{ n }})) / nullif(2 * ({{ n }}), 0))
            as decimal(38, 0)
        ) * 0.01 as decimal(18, 2)
    )
{%- endmacro %}
