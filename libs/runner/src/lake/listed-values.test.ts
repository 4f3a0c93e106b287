import { createDuckdbDialect } from "@sluice/dialects";
import { openMemoryDatabase, type MemoryDatabase, type QueryResult } from "@sluice/engines";
import { bindWindowReads } from "@sluice/compiler/plan";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withListedValues } from "./listed-values.js";
import type { PublishedVersions } from "../incremental/window-reads.js";

const dialect = createDuckdbDialect();
const statement = `select * from "marts"."m" where d in (sluice_listed((select distinct d from "silver"."events" where dt >= '2026/11/27/01')))`;

describe("sluice_listed values kept for the run", () => {
  let db: MemoryDatabase;
  const sent: string[] = [];
  const execute = async (sql: string): Promise<QueryResult> => {
    sent.push(sql);
    return { ...(await db.execute(sql)), stats: { elapsedMs: 0 } };
  };
  beforeAll(async () => {
    db = await openMemoryDatabase();
    await db.execute(
      `create schema silver; create table silver.events as select * from (values (date '2026-11-26', '2026/11/27/01'), (date '2026-11-27', '2026/11/27/02'), (date '2026-11-25', '2026/11/26/00')) t(d, dt)`,
    );
  });
  afterAll(async () => db.close());
  /** The statement bound with the run's memo `run`, as a node's lake step binds it. */
  const boundWith = async (run: {
    values: Map<string, Promise<string | undefined>>;
    published: PublishedVersions;
  }) =>
    bindWindowReads(
      statement,
      await withListedValues(statement, {}, dialect, execute, new Map(), run),
    );
  const newRun = () => ({
    values: new Map<string, Promise<string | undefined>>(),
    published: new Map() as PublishedVersions,
  });

  it("a later node's same subquery is not run again; a publish of a relation it names runs it again", async () => {
    const run = newRun();
    const bound = () => boundWith(run);
    const first = await bound();
    expect(first).toContain("d in (DATE '2026-11-26', DATE '2026-11-27')");
    expect(sent).toHaveLength(1);
    // The next mart of the run: the same list, no query.
    expect(await bound()).toBe(first);
    expect(sent).toHaveLength(1);
    // A relation the subquery does not name is published: still no query.
    run.published.set('"marts"."other"', { location: "/lake/marts/other/v_2" });
    expect(await bound()).toBe(first);
    expect(sent).toHaveLength(1);
    // silver.events gets a new version with another date: the subquery runs again and sees it.
    await db.execute(`insert into silver.events values (date '2026-11-28', '2026/11/28/00')`);
    run.published.set('"silver"."events"', { location: "/lake/silver/events/v_3" });
    expect(await bound()).toContain(
      "d in (DATE '2026-11-26', DATE '2026-11-27', DATE '2026-11-28')",
    );
    expect(sent).toHaveLength(2);
  });

  it("nodes asking at once for the same subquery send one query and get the same list", async () => {
    sent.length = 0;
    const run = newRun();
    const bound = () => boundWith(run);
    const [a, b] = await Promise.all([bound(), bound()]);
    expect(a).toContain("d in (DATE '2026-11-26', DATE '2026-11-27'");
    expect(b).toBe(a);
    expect(sent).toHaveLength(1);
  });
});
