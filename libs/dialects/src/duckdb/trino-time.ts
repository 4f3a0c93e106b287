/**
 * Trino's ISO-8601 parsing on DuckDB. Trino's `from_iso8601_timestamp` parses with Joda's
 * `ISODateTimeFormat.dateTimeParser().withOffsetParsed()`
 * (`io.trino.operator.scalar.timestamp.…DateTimeFunctions.fromISO8601Timestamp`): a date
 * `yyyy[-MM[-dd]]`, then optionally `T` and a time `HH[:mm[:ss[(.|,)fraction]]]` with an
 * optional offset `Z` / `±HH[[:]mm]`; no offset means the session zone (UTC on Athena and on
 * the lake). Fractions are cut to milliseconds (`timestamp(3) with time zone`). A space for
 * `T`, `epoch` or trailing text are errors (`Invalid format: "…"`); DuckDB's cast accepts them.
 *
 * Known gaps: Joda's ordinal (`2020-123`) and week (`2020-W10-1`) dates, time-only strings,
 * fractions of an hour or minute, years beyond 4 digits and `±HH:mm:ss` offsets are errors here.
 * A lake `TIMESTAMP WITH TIME ZONE` is an instant without its zone: casting it to `timestamp`
 * gives the UTC wall time, where Trino keeps the value's own local time (10:00+02:00 → 10:00).
 * The lake matches Trino where the cast applies to the parse directly
 * (`cast(from_iso8601_timestamp(s) as timestamp)` is rewritten to keep the string's wall time);
 * through a column or another function it cannot. Models convert with `at_timezone(x, 'UTC')`
 * before casting, which both engines agree on.
 */

const D = "([0-9]{1,2})";
/** Groups: year, month, day, hour, minute, second, fraction, offset sign, hours, minutes. */
const ISO_TIMESTAMP =
  `'^([0-9]{4})(?:-${D}(?:-${D})?)?` +
  `(?:T${D}(?::${D}(?::${D}(?:[.,]([0-9]+))?)?)?(?:Z|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?$'`;
const GROUPS = "['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'sign', 'oh', 'om']";

const part = (group: string, absent: string) =>
  `lpad(coalesce(nullif(g.${group}, ''), '${absent}'), 2, '0')`;
const minutes = (group: string) => `coalesce(CAST(nullif(g.${group}, '') AS INTEGER), 0)`;

/** The wall time the parts `g` spell, whatever their offset. */
const wallTime =
  `CAST(g.y || '-' || ${part("mo", "1")} || '-' || ${part("d", "1")} || ' ' || ` +
  `${part("h", "0")} || ':' || ${part("mi", "0")} || ':' || ${part("s", "0")} || '.' || ` +
  `left(g.f || '000', 3) AS TIMESTAMP)`;

/** The UTC instant of the parts `g`: their wall time minus their offset. */
const instant =
  `CAST(${wallTime} AS TIMESTAMPTZ) - to_minutes(` +
  `CASE g.sign WHEN '-' THEN -1 ELSE 1 END * (60 * ${minutes("oh")} + ${minutes("om")}))`;

/**
 * The shape events carry (`2026-11-27T01:23:45.678Z`: every field, at most milliseconds, UTC),
 * read by DuckDB's own cast of the same text with a space for the `T`: one plain match instead of
 * the grammar's groups. Its values are the grammar's: the same wall time, no offset to subtract;
 * an impossible date fails the same cast.
 */
const COMMON_SHAPE = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,3})?Z$'`;
const commonWallTime = "CAST(replace(left(s, length(s) - 1), 'T', ' ') AS TIMESTAMP)";

/**
 * A macro body: `value` of the parts `g` of an ISO-8601 string `s`, or Joda's error;
 * `common`: the same value for a string of {@link COMMON_SHAPE}.
 */
const parsed = (value: string, type: string, common: string) =>
  `CASE WHEN regexp_full_match(s, ${COMMON_SHAPE}) THEN ${common} ` +
  `WHEN regexp_full_match(s, ${ISO_TIMESTAMP}) ` +
  `THEN list_transform([system.main.regexp_extract(s, ${ISO_TIMESTAMP}, ${GROUPS})], g -> ${value})[1] ` +
  `ELSE CAST('Invalid format: "' || s || '"' AS ${type}) END`;

/** Zone names the lake's (UTC-only) timestamps with time zone can be put in. */
const UTC_NAMES = "('UTC', 'Z', 'GMT', 'ETC/UTC', 'ETC/GMT', 'UCT', 'ZULU', '+00:00', '-00:00')";

/** The time macros, as `[head, body]` pairs of the compat layer. */
export const timeMacros: Array<[string, string]> = [
  [
    "from_iso8601_timestamp(s)",
    parsed(instant, "TIMESTAMPTZ", `CAST(${commonWallTime} AS TIMESTAMPTZ)`),
  ],
  // `cast(from_iso8601_timestamp(s) as timestamp)`, rewritten by strictIntegerCasts: the wall time.
  ["__sluice_iso8601_wall_time(s)", parsed(wallTime, "TIMESTAMP", commonWallTime)],
  // Trino: the same instant in `zone`. Lake timestamps with time zone are UTC instants, so only
  // UTC is faithful; another zone fails rather than silently give UTC wall times.
  [
    "at_timezone(ts, zone)",
    `CASE WHEN upper(zone) IN ${UTC_NAMES} THEN CAST(ts AS TIMESTAMPTZ) ` +
      `ELSE CAST('at_timezone: the local lake keeps timestamps with time zone in UTC only, not ' || zone AS TIMESTAMPTZ) END`,
  ],
];
