{#- Typed access to the parsed event JSON `j`. A value of the wrong type becomes NULL (try), so
    staging can reject the row with a reason instead of failing the build. -#}
{% macro json_text(path) -%}
json_extract_scalar(j, '$.{{ path }}')
{%- endmacro %}

{% macro json_bigint(path) -%}
try(cast(json_extract_scalar(j, '$.{{ path }}') as bigint))
{%- endmacro %}

{#- Money and other exact numbers: the JSON number's text straight to DECIMAL, never through a
    DOUBLE. Trino casts VARCHAR to DECIMAL as BigDecimal does (`19.99`, `1e2` exact; more
    decimals than `scale` round half up), DuckDB likewise. `expr` reads another JSON text
    (e.g. one item of order_items_json) instead of `j`. -#}
{% macro json_decimal(path, precision=18, scale=2, expr='j') -%}
try(cast(json_extract_scalar({{ expr }}, '$.{{ path }}') as decimal({{ precision }}, {{ scale }})))
{%- endmacro %}
