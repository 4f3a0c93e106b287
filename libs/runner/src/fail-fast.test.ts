import { describe, expect, it } from "vitest";
import { FailFast } from "./fail-fast.js";
import type { NodeResult } from "./types.js";

const result = (id: string, status: NodeResult["status"]): NodeResult => ({
  id,
  kind: "model",
  name: id,
  materialization: "table",
  status,
  message: "",
  elapsedMs: 0,
  queryIds: [],
});

describe("FailFast", () => {
  it("stops at the first failure or error, once, and skips what comes after", () => {
    const stop = new FailFast(undefined);
    stop.ended(result("model.ok", "success"));
    stop.ended(result("test.warned", "warn"));
    expect(stop.signal.aborted).toBe(false);
    expect(stop.skipReason("model.next")).toBeUndefined();
    stop.ended(result("test.t", "fail"));
    stop.ended(result("model.b", "error"));
    expect(stop.signal.aborted).toBe(true);
    expect((stop.signal.reason as Error).message).toBe("stopped by --fail-fast: test.t failed");
    expect(stop.skipReason("model.next")).toBe("skipped: stopped by --fail-fast: test.t failed");
  });

  it("leaves the skips of a failed node's dependants as they are, but not of a skipped node's", () => {
    const stop = new FailFast(undefined);
    stop.ended(result("model.a", "error"));
    expect(stop.skipReason("model.child", "model.a")).toBeUndefined();
    expect(stop.skipReason("model.x")).toBeDefined();
    expect(stop.skipReason("model.x_child", "model.x")).toBe(
      "skipped: stopped by --fail-fast: model.a errored",
    );
  });

  it("follows the run's own signal", () => {
    const run = new AbortController();
    const stop = new FailFast(run.signal);
    run.abort(new Error("timed out"));
    expect(stop.signal.aborted).toBe(true);
    expect(stop.stoppedBy).toBeUndefined();
  });
});
