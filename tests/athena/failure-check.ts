import { expect } from "vitest";
import { setFaults } from "../support/athena-local.js";
import type { CliRun } from "../support/cli.js";

/**
 * After a build that was made to fail (or was killed): it failed cleanly (no stack trace, no
 * "unexpected", an expected exit code, and a run that got through says so with a warning), readers
 * saw no change (`readers()` equals `clean`'s), and a clean `rerun` leaves exactly `clean`'s
 * state. Shared by the whole-build failure matrix and the per-call positions test.
 */
export async function expectFailureLeftNoTrace<S>(o: {
  url: string;
  label: string;
  failed: CliRun;
  codes: readonly number[];
  clean: S;
  /** What readers of the target see (compared with the clean state's). */
  readers: (state: S) => unknown;
  state: () => Promise<S>;
  rerun: () => Promise<CliRun>;
}): Promise<void> {
  const { label, failed } = o;
  await setFaults(o.url, {});
  expect(failed.stderr, label).not.toMatch(/^\s+at /m);
  expect(failed.stderr, label).not.toContain("unexpected");
  expect(o.codes, `${label}: exit code ${failed.code}\n${failed.stderr}`).toContain(failed.code);
  // A call the run could do without (cleanup after the publish) is still never silent.
  if (failed.code === 0) expect(failed.stderr + failed.stdout, label).toMatch(/warn/i);
  expect(o.readers(await o.state()), `${label}: what readers see`).toEqual(o.readers(o.clean));
  const rerun = await o.rerun();
  expect(rerun.code, `${label}: clean rerun\n${rerun.stderr}`).toBe(0);
  expect(await o.state(), `${label}: after the rerun`).toEqual(o.clean);
}
