import { cp } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runSluice } from "../support/cli.js";
import { copyJaffleShop } from "../support/dbt-fixture.js";

/**
 * `sluice compile --target prod` (the profile's Athena output) with no AWS credentials anywhere
 * and an EC2 metadata endpoint that accepts connections and never answers (a black hole): the
 * models that read the warehouse (tests/fixtures/dbt/utils_models) stay marked with the reason,
 * the endpoint is asked once (a token, then IMDSv1: the SDK's 1 s timeouts, no retries) and the
 * compile takes about as long as with IMDS disabled. The compile stops asking the target after
 * the first query that cannot reach it (render-at-run.ts), so the lookup is not paid per model.
 */
let dir: string;
let cleanup: () => Promise<void>;
let blackHole: net.Server;
/** Connections the black-hole metadata endpoint accepted. */
let lookups = 0;
let imds: string;

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await cp(path.join(repoRoot, "tests/fixtures/dbt/utils_models"), path.join(dir, "models/utils"), {
    recursive: true,
  });
  blackHole = net.createServer(() => lookups++);
  await new Promise<void>((ok) => blackHole.listen(0, "127.0.0.1", ok));
  imds = `http://127.0.0.1:${(blackHole.address() as net.AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  blackHole.close();
  await cleanup();
});

/** A compile of the prod output with no credentials; `metadata`: the IMDS settings. */
async function compileProd(metadata: Record<string, string>) {
  const started = Date.now();
  const run = await runSluice(["--project-dir", dir, "compile", "--target", "prod"], {
    env: {
      DBT_PROFILES_DIR: "",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_CONFIG_FILE: path.join(dir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-aws-credentials"),
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_EC2_METADATA_DISABLED: "",
      ...metadata,
    },
  });
  return { run, seconds: (Date.now() - started) / 1000 };
}

describe("compile for an Athena output without AWS credentials", () => {
  it("asks the metadata endpoint once per compile (its token, then v1), not per call and retry", async () => {
    const disabled = await compileProd({ AWS_EC2_METADATA_DISABLED: "true" });
    expect(lookups).toBe(0);
    const hole = await compileProd({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds });
    for (const { run } of [disabled, hole]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(
        /warning: [\w, ]*customers_but_names[\w, ]*: rendered at run time \(target 'prod' cannot be reached: .*credentials/i,
      );
    }
    console.log(
      `compile: IMDS disabled ${disabled.seconds} s, black-hole IMDS ${hole.seconds} s, ${lookups} connections`,
    );
    // Wall times swing with the machine's load (the reported +14 s would still fail); lookups do not.
    expect(lookups).toBeLessThanOrEqual(2);
    expect(hole.seconds - disabled.seconds).toBeLessThan(8);
  }, 120_000);
});
