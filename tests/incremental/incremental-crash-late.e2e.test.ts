import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crashAtPoints, killAfter, killDuring } from "./crash-points.js";
import { fullLake, type FullLake } from "./incremental-fixture.js";

/**
 * Incremental silver on the local lake killed mid-run: the last 10 of the 20 crash points (two files,
 * so two workers run them side by side; crash-points.ts has the scenario).
 */
let lake: FullLake;

beforeAll(async () => {
  lake = await fullLake();
});

afterAll(async () => lake?.cleanup());

describe("incremental silver on the local lake", () => {
  it("survives SIGKILL at the last 10 of 20 points of an incremental build: the re-run equals a clean build, nothing left over", async () => {
    // The run's statements in order (SLUICE_TEST_STATEMENT_LOG lists them), by node.
    const points = [
      ...[
        "model.order_items~^BEGIN",
        "model.rejected_events~^COPY",
        "model.channel_performance~^SELECT DISTINCT",
        "model.channel_performance~^COPY",
        "model.funnel~^COPY",
        "model.customer_lifetime_value~^COPY",
        "model.hourly_sales_by_category~^BEGIN",
      ].map(killAfter),
      ...[
        "model.order_items~^SELECT DISTINCT",
        "model.rejected_events~^SELECT",
        "model.channel_performance~^SELECT \\* FROM \\(",
      ].map(killDuring),
    ];
    expect(points).toHaveLength(10);
    // 18 of the 20 at least (as when they were one test): at most one missed kill per half.
    expect(await crashAtPoints(lake, "crash", points)).toBeGreaterThanOrEqual(9);
  }, 600_000);
});
