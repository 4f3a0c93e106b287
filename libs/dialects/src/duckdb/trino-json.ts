/**
 * Trino's JSON strictness on DuckDB. Trino parses JSON with Jackson's defaults
 * (`io.trino.operator.scalar.JsonFunctions.jsonParse`): trailing commas and `NaN` / `Infinity`
 * are errors ("Cannot convert value to JSON: '…'"), and `json_extract*` / `json_array_length`
 * of text that is not JSON are NULL. DuckDB's reader (yyjson) accepts both extensions, so a
 * document is checked first: with its string literals blanked, a `,` before `]` or `}`, or a
 * `nan` / `inf` outside a string (no JSON literal or number contains those letters), fails.
 *
 * Duplicate keys: Trino keeps the last (Jackson reads an object into a map); DuckDB keeps every
 * entry and its JSONPath reads the first. `json_extract` / `json_extract_scalar` (and the
 * lake-only list form `__sluice_json_extract_paths`) read the last entry at every level of a
 * simple path (`$.a[0].b`): `json_keys` of the objects on the way shows whether any of them holds
 * a duplicate key, and only then is the path walked step by step (an object cast to
 * `MAP(VARCHAR, JSON)`, which keeps every entry in order, and its last entry of the key taken).
 *
 * Known gaps: `json_parse` keeps keys as written (Trino sorts them and drops duplicates, so
 * `json_format` of an object with duplicates differs); a path with other steps (`$["a"]`,
 * `$.*`) reads DuckDB's first duplicate.
 */

/** A JSON string literal, escapes included (RE2, in a DuckDB string literal). */
const JSON_STRING = `'"(?:[^"\\\\]|\\\\.)*"'`;

/** Text DuckDB reads as JSON but Trino (Jackson) refuses, once strings are blanked. */
const NOT_STRICT_JSON = `'(?i)nan|inf|,\\s*[\\]}]'`;

/** A step of a simple JSONPath: `.key` or `[n]`. */
const PATH_STEP = `'\\.[^.\\[\\]"*]+|\\[[0-9]+\\]'`;

/** A JSONPath of simple steps only: the paths whose duplicates are resolved as Trino does. */
const SIMPLE_PATH = `'^\\$(\\.[^.\\[\\]"*]+|\\[[0-9]+\\])*$'`;

/** True when the key list `k` has no key twice (list_position: cheaper than list_distinct). */
const distinct = (k: string): string =>
  `list_bool_and(list_transform(${k}, (x, i) -> list_position(${k}, x) = i))`;

/** `v` as JSON: a JSON value as is, text parsed as `json_parse` does. */
const asJson = (v: string): string =>
  `CASE WHEN typeof(${v}) = 'JSON' THEN ${v} ELSE json_parse(${v}) END`;

/** A JSON value `v` as json_extract_scalar gives it: its text if a scalar, NULL otherwise. */
const scalarText = (v: string): string =>
  `CASE WHEN json_type(${v}) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(${v}, '$') END`;

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
  // The values a simple path `p` steps through, as paths: `$.a[0].b` -> ['$', '$.a', '$.a[0]'].
  [
    "__sluice_json_path_objects(p)",
    `list_transform(range(len(regexp_extract_all(p, ${PATH_STEP}))), i -> '$' || array_to_string(regexp_extract_all(p, ${PATH_STEP})[1:i], ''))`,
  ],
  // True when every object the constant paths `ps` step through has distinct keys (one parse).
  [
    "__sluice_json_distinct_keys(doc, ps)",
    `list_bool_and(list_transform(system.main.json_keys(doc, list_distinct(flatten(list_transform(ps, p -> __sluice_json_path_objects(p))))), k -> ${distinct("k")}))`,
  ],
  // The same for one path, constant or not (json_keys needs a constant list: one parse per step).
  [
    "__sluice_json_distinct_keys_on(doc, p)",
    `list_bool_and(list_transform(__sluice_json_path_objects(p), o -> ${distinct("system.main.json_keys(doc, o)")}))`,
  ],
  // The value at simple path `p`, the last of duplicate keys at every level (Trino).
  [
    "__sluice_json_last(doc, p)",
    // list_reduce casts the keys to the accumulator's type: the walk carries text, not JSON. The
    // map cast reads a JSON null as NULL: an entry present is kept as 'null'.
    `CASE WHEN regexp_matches(p, ${SIMPLE_PATH}) THEN CAST(list_reduce(regexp_extract_all(p, ${PATH_STEP}), (v, k) -> ` +
      `CASE WHEN k[1] = '[' THEN CAST(system.main.json_extract(CAST(v AS JSON), '$' || k) AS VARCHAR) ` +
      `WHEN json_type(CAST(v AS JSON)) = 'OBJECT' THEN list_transform(list_filter(map_entries(CAST(CAST(v AS JSON) AS MAP(VARCHAR, JSON))), e -> e.key = k[2:])[-1:], e -> coalesce(CAST(e.value AS VARCHAR), 'null'))[1] END, ` +
      `CAST(system.main.json_extract(doc, '$') AS VARCHAR)) AS JSON) ELSE system.main.json_extract(doc, p) END`,
  ],
  // `json_extract(doc, p)` with Trino's last duplicate; DuckDB's own reader when `doc` has no
  // duplicate key on the way (the common case: json_keys of each step, no walk).
  [
    "__sluice_json_extract(doc, p)",
    `CASE WHEN p = '$' OR __sluice_json_distinct_keys_on(doc, p) THEN system.main.json_extract(doc, p) ELSE __sluice_json_last(doc, p) END`,
  ],
  // Trino returns NULL for malformed JSON and for non-scalar values. The document is parsed
  // once (TRY: malformed -> NULL) and the lambda binds the small extracted value, so the type
  // check and the unquoting re-parse only that value: staging calls this ~20 times per line.
  // A JSON value at path '$' (json_fields' columns are read that way) is the value itself: no
  // extraction, no TRY (a JSON value is valid JSON).
  [
    "json_extract_scalar(j, p)",
    `CASE WHEN p = '$' AND typeof(j) = 'JSON' THEN ${scalarText("j")} ` +
      `ELSE list_transform([TRY(__sluice_json_extract(${asJson("j")}, p))], v -> ${scalarText("v")})[1] END`,
  ],
  ["json_extract(j, p)", `TRY(__sluice_json_extract(${asJson("j")}, p))`],
  // Lake only (models/macros/json.sql's json_text): json_extract_scalar(v, '$') of a JSON value
  // `v`, the branch that call takes, alone. DuckDB binds every branch of a macro's CASE, and
  // json_extract_scalar's general path is large: 17 calls cost staging ~0.1 CPU-s per statement
  // to bind, before any row is read.
  ["__sluice_json_scalar(v)", scalarText("v")],
  // Lake only (models/macros/json.sql's json_fields): json_extract of each path of the list
  // `ps` (a constant list), the document parsed twice for all of them (json_keys, json_extract),
  // and once more per path when a key on the way is duplicated.
  [
    "__sluice_json_extract_paths(j, ps)",
    `TRY(CASE WHEN __sluice_json_distinct_keys(${asJson("j")}, ps) THEN system.main.json_extract(${asJson("j")}, ps) ` +
      `ELSE list_transform(ps, p -> __sluice_json_last(${asJson("j")}, p)) END)`,
  ],
  // Trino: NULL for anything but an array (DuckDB: 0), and for text that is not JSON.
  [
    "json_array_length(j)",
    `list_transform([TRY(${asJson("j")})], v -> CASE WHEN json_type(v) = 'ARRAY' THEN system.main.json_array_length(v) END)[1]`,
  ],
  ["json_format(j)", "CAST(j AS VARCHAR)"],
];
