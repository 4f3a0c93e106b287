import { describe, expect, it } from "vitest";
import { runDag } from "./scheduler.js";

describe("runDag", () => {
  it("runs each task after its dependencies, at most `concurrency` at once", async () => {
    const order: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const tasks = [
      { id: "a", deps: [] },
      { id: "b", deps: ["a"] },
      { id: "c", deps: ["a"] },
      { id: "d", deps: ["b", "c"] },
    ];
    await runDag(
      tasks,
      2,
      async (t) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        order.push(t.id);
        inFlight--;
        return true;
      },
      () => {},
    );
    expect(order[0]).toBe("a");
    expect(order[3]).toBe("d");
    expect(peak).toBe(2);
  });

  it("skips the descendants of a failed task and names the failure", async () => {
    const skipped: [string, string][] = [];
    const ran: string[] = [];
    await runDag(
      [
        { id: "a", deps: [] },
        { id: "b", deps: ["a"] },
        { id: "c", deps: ["b"] },
        { id: "x", deps: [] },
      ],
      1,
      async (t) => {
        ran.push(t.id);
        return t.id !== "a";
      },
      (t, because) => skipped.push([t.id, because]),
    );
    expect(ran.sort()).toEqual(["a", "x"]);
    expect(skipped).toEqual([
      ["b", "a"],
      ["c", "a"],
    ]);
  });

  it("starts the task heading the longest chain first; ties in the order they became ready", async () => {
    const order: string[] = [];
    const tasks = [
      { id: "a", deps: [] },
      { id: "b", deps: [] },
      { id: "c", deps: ["b"] },
      { id: "d", deps: ["c"] },
    ];
    await runDag(
      tasks,
      1,
      async (t) => {
        order.push(t.id);
        return true;
      },
      () => {},
    );
    expect(order).toEqual(["b", "c", "a", "d"]);
  });

  it("rejects a cycle instead of hanging", async () => {
    await expect(
      runDag(
        [
          { id: "a", deps: ["b"] },
          { id: "b", deps: ["a"] },
        ],
        1,
        async () => true,
        () => {},
      ),
    ).rejects.toThrow(/cycle/);
  });
});
