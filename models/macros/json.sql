{#- Typed access to the parsed event JSON `j`. A value of the wrong type becomes NULL (try), so
    staging can reject the row with a reason instead of failing the build.

    On the local lake (DuckDB) a JSON value is text, and each json_extract_scalar(j, ...) parses
    the whole document again. A model that reads many fields of one document lists their paths
    once: `from {{ json_fields('parsed', paths) }}` instead of `from parsed`. On DuckDB that
    parses each row once (a list form of json_extract) into one column per path, named
    __sluice_json_<path, its dots as __> (a plain identifier, which the lineage's SQL parser
    reads as a column), read by json_text / json_bigint / json_decimal / json_value. On Athena
    each macro renders the Trino SQL it always did (json_fields is the relation's name), so the
    compiled Athena SQL does not change. A path read but not listed fails the local build
    (DuckDB: column __sluice_json_<path> not found): add it to the list. -#}
{% macro json_fields(relation, paths) -%}
{%- if target.type == 'duckdb' -%}
{#- The compat layer's list form of json_extract (its document already checked by json_parse)
    gives each path's value as one json_extract per path would: the last of duplicate keys at
    every level (Trino), non-objects and malformed documents give what they gave. -#}
(select __sluice_doc.*,
{%- for path in paths %}
        __sluice_fields[{{ loop.index }}] as __sluice_json_{{ path | replace(".", "__") }}{{ "," if not loop.last }}
{%- endfor %}
    from (select *, __sluice_json_extract_paths(j, ARRAY[
{%- for path in paths %}'$.{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
    ]) as __sluice_fields from {{ relation }}) as __sluice_doc) as {{ relation }}
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endmacro %}

{#- The JSON value at `path` (json_extract: objects and arrays included). -#}
{% macro json_value(path) -%}
{%- if target.type == 'duckdb' -%}
__sluice_json_{{ path | replace(".", "__") }}
{%- else -%}
json_extract(j, '$.{{ path }}')
{%- endif -%}
{%- endmacro %}

{#- The scalar at `path` as text (json_extract_scalar: NULL for an object or an array). On
    DuckDB: json_extract_scalar(value, '$') of the value json_fields extracted, as the compat
    layer's __sluice_json_scalar (that call's branch alone: much cheaper to bind). -#}
{% macro json_text(path) -%}
{%- if target.type == 'duckdb' -%}
__sluice_json_scalar(__sluice_json_{{ path | replace(".", "__") }})
{%- else -%}
json_extract_scalar(j, '$.{{ path }}')
{%- endif -%}
{%- endmacro %}

{% macro json_bigint(path) -%}
try(cast({{ json_text(path) }} as bigint))
{%- endmacro %}

{#- Money and other exact numbers: the JSON number's text straight to DECIMAL, never through a
    DOUBLE. Trino casts VARCHAR to DECIMAL as BigDecimal does (`19.99`, `1e2` exact; more
    decimals than `scale` round half up), DuckDB likewise. `expr` reads another JSON text
    (e.g. one item of order_items_json) instead of `j`. -#}
{% macro json_decimal(path, precision=18, scale=2, expr='j') -%}
{%- if expr == 'j' -%}
try(cast({{ json_text(path) }} as decimal({{ precision }}, {{ scale }})))
{%- else -%}
try(cast(json_extract_scalar({{ expr }}, '$.{{ path }}') as decimal({{ precision }}, {{ scale }})))
{%- endif -%}
{%- endmacro %}
