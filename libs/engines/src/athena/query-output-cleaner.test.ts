import { describe, expect, it } from "vitest";
import { QueryError } from "../engine.js";
import { FakeAws, fakeAthenaTarget } from "../../test/fake-aws.js";
import { openAthenaEngine } from "./athena-engine.js";

const target = fakeAthenaTarget({ databases: {}, threads: 1 });
const TOO_MANY =
  "HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets";

async function failedInsert(manifest: string | undefined) {
  const aws = new FakeAws();
  const engine = await openAthenaEngine({
    target,
    clients: aws.clients,
    sleep: async () => {},
    random: () => 0,
  });
  aws.scripts.push({
    states: ["FAILED"],
    athenaError: { ErrorMessage: TOO_MANY },
    statistics: manifest === undefined ? {} : { DataManifestLocation: manifest },
  });
  const error = await engine.execute("INSERT INTO t SELECT 1").catch((e: unknown) => e);
  if (!(error instanceof QueryError) || error.details.queryId === undefined)
    throw new Error("expected a failed query");
  return { aws, engine, queryId: error.details.queryId };
}

describe("removeQueryOutput", () => {
  it("deletes the files listed in the failed query's data manifest, only under the table's location", async () => {
    const { aws, engine, queryId } = await failedInsert(
      "s3://results/sluice/tables/q-1-manifest.csv",
    );
    const written = [
      "silver/orders/v1/event_date=2024-01-01/a.parquet",
      "silver/orders/v1/event_date=2024-01-02/b.parquet",
    ];
    aws.putObjects("lake", [
      ...written,
      "silver/orders/v1/event_date=2024-01-01/old.parquet",
      "silver/orders_daily/v1/x.parquet",
    ]);
    aws.putObject(
      "results",
      "sluice/tables/q-1-manifest.csv",
      [...written, "silver/orders_daily/v1/x.parquet"].map((k) => `s3://lake/${k}`).join("\n") +
        "\n",
    );

    expect(await engine.removeQueryOutput(queryId, "s3://lake/silver/orders/v1/")).toBe(2);

    expect(aws.commands().slice(-3)).toEqual(["GetQueryExecution", "GetObject", "DeleteObjects"]);
    expect(aws.calls.at(-2)?.input).toEqual({
      Bucket: "results",
      Key: "sluice/tables/q-1-manifest.csv",
    });
    expect([...(aws.objects.get("lake") ?? [])].sort()).toEqual([
      "silver/orders/v1/event_date=2024-01-01/old.parquet",
      "silver/orders_daily/v1/x.parquet",
    ]);
  });

  it("a manifest that was never written means nothing was written", async () => {
    const { aws, engine, queryId } = await failedInsert(
      "s3://results/sluice/tables/q-1-manifest.csv",
    );
    expect(await engine.removeQueryOutput(queryId, "s3://lake/silver/orders/v1/")).toBe(0);
    expect(aws.commands()).not.toContain("DeleteObjects");
  });

  it("refuses when the query has no manifest location", async () => {
    const { engine, queryId } = await failedInsert(undefined);
    await expect(engine.removeQueryOutput(queryId, "s3://lake/silver/orders/v1/")).rejects.toThrow(
      "Athena query q-1 has no data manifest: cannot tell which files it wrote before failing",
    );
  });
});
