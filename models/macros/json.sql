{#- Typed access to the parsed event JSON `j`. A value of the wrong type becomes NULL (try), so
    staging can reject the row with a reason instead of failing the build. -#}
{% macro json_text(path) -%}
json_extract_scalar(j, '$.{{ path }}')
{%- endmacro %}

{% macro json_bigint(path) -%}
try(cast(json_extract_scalar(j, '$.{{ path }}') as bigint))
{%- endmacro %}

{% macro json_double(path) -%}
try(cast(json_extract_scalar(j, '$.{{ path }}') as double))
{%- endmacro %}
