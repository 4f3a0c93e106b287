/**
 * models/silver/events.sql with a new column, `channel_upper` (upper(channel)), before `dt` in
 * its last select: what a user adding a column to silver.events writes. Throws when the model's
 * text no longer has that select (the test's edit would silently not apply).
 *
 * @example
 * await writeFile(model, eventsWithNewColumn(await readFile(model, "utf8")));
 */
export function eventsWithNewColumn(sql: string): string {
  const out = sql.replace(
    /(\n {4}dt,\n {4}event_date\nfrom events\n)/,
    "\n    upper(channel) as channel_upper,$1",
  );
  if (out === sql) throw new Error("models/silver/events.sql changed: the edit no longer applies");
  return out;
}
