/**
 * Trino's JSON strictness on DuckDB. Trino parses JSON with Jackson's defaults
 * (`io.trino.operator.scalar.JsonFunctions.jsonParse`): trailing commas and `NaN` / `Infinity`
 * are errors ("Cannot convert value to JSON: '…'"), and `json_extract*` / `json_array_length`
 * of text that is not JSON are NULL. DuckDB's reader (yyjson) accepts both extensions, so a
 * document is checked first: with its string literals blanked, a `,` before `]` or `}`, or a
 * `nan` / `inf` outside a string (no JSON literal or number contains those letters), fails.
 *
 * Known gap: of duplicate keys, Trino keeps the last (Jackson reads the object into a map) and
 * `json_parse` sorts keys; DuckDB keeps every key as written and reads the first.
 */

/** A JSON string literal, escapes included (RE2, in a DuckDB string literal). */
const JSON_STRING = `'"(?:[^"\\\\]|\\\\.)*"'`;

/** Text DuckDB reads as JSON but Trino (Jackson) refuses, once strings are blanked. */
const NOT_STRICT_JSON = `'(?i)nan|inf|,\\s*[\\]}]'`;

/** `v` as JSON: a JSON value as is, text parsed as `json_parse` does. */
const asJson = (v: string): string =>
  `CASE WHEN typeof(${v}) = 'JSON' THEN ${v} ELSE json_parse(${v}) END`;

/**
 * The JSON macros, as `[head, body]` pairs of the compat layer. DuckDB's `json(x)` is a macro
 * over `json_extract`, which the layer shadows: the built-ins are called by qualified name.
 */
export const jsonMacros: Array<[string, string]> = [
  [
    "json_parse(s)",
    // Strings are blanked only in the rare text that looks suspect as it is (the blanking is
    // ~10x the cost of the parse).
    `CASE WHEN NOT regexp_matches(s, ${NOT_STRICT_JSON}) THEN system.main.json_extract(s, '$') ` +
      `WHEN regexp_matches(system.main.regexp_replace(s, ${JSON_STRING}, '""', 'g'), ${NOT_STRICT_JSON}) ` +
      "THEN CAST('Cannot convert value to JSON: ''' || s || '''' AS JSON) ELSE system.main.json_extract(s, '$') END",
  ],
  // Trino returns NULL for malformed JSON and for non-scalar values. The document is parsed
  // once (TRY: malformed -> NULL) and the lambda binds the small extracted value, so the type
  // check and the unquoting re-parse only that value: staging calls this ~20 times per line.
  [
    "json_extract_scalar(j, p)",
    `list_transform([TRY(system.main.json_extract(${asJson("j")}, p))], v -> CASE WHEN json_type(v) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(v, '$') END)[1]`,
  ],
  ["json_extract(j, p)", `TRY(system.main.json_extract(${asJson("j")}, p))`],
  // Trino: NULL for anything but an array (DuckDB: 0), and for text that is not JSON.
  [
    "json_array_length(j)",
    `list_transform([TRY(${asJson("j")})], v -> CASE WHEN json_type(v) = 'ARRAY' THEN system.main.json_array_length(v) END)[1]`,
  ],
  ["json_format(j)", "CAST(j AS VARCHAR)"],
];
