import { GetWorkGroupCommand } from "@aws-sdk/client-athena";
import { GetDatabaseCommand } from "@aws-sdk/client-glue";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { AthenaTarget } from "@sluice/project";
import type { SetupCheck } from "../engine.js";
import type { AthenaContext } from "./athena-clients.js";
import { parseS3Directory } from "./s3-location.js";

/**
 * What `sluice debug` checks on Athena, each as one plain sentence: credentials (the first
 * call; STS is not a dependency, so Athena GetWorkGroup answers it), the workgroup (enabled,
 * engine version, enforced output location), every Glue database of the target, and the S3
 * staging directory. Failures never throw: they become failed checks.
 */
export async function athenaSetupChecks(
  ctx: AthenaContext,
  target: AthenaTarget,
  databases: readonly string[],
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  let workgroup;
  try {
    workgroup = (
      await ctx.clients.athena.send(new GetWorkGroupCommand({ WorkGroup: target.workgroup }))
    ).WorkGroup;
    add("credentials", true, `AWS credentials accepted in ${target.region}`);
  } catch (error) {
    const { name, message } = describe(error);
    if (name === "InvalidRequestException" && /workgroup/i.test(message)) {
      add("credentials", true, `AWS credentials accepted in ${target.region}`);
      add(
        "workgroup",
        false,
        `workgroup '${target.workgroup}' does not exist in ${target.region}: ${message}`,
      );
    } else {
      add(
        "credentials",
        false,
        `cannot call Athena in ${target.region} (${name}: ${message}); check AWS_PROFILE / the default credential chain${target.profile ? ` (profile '${target.profile}')` : ""}`,
      );
      return checks;
    }
  }
  if (workgroup) {
    const config = workgroup.Configuration;
    const engine =
      config?.EngineVersion?.EffectiveEngineVersion ??
      config?.EngineVersion?.SelectedEngineVersion ??
      "unknown";
    const enforced = config?.EnforceWorkGroupConfiguration
      ? config.ResultConfiguration?.OutputLocation
      : undefined;
    const problems = [
      workgroup.State === "DISABLED" ? "it is disabled" : undefined,
      /3/.test(engine) || engine === "AUTO"
        ? undefined
        : `its engine version is ${engine} (sluice needs Athena engine version 3)`,
      enforced === undefined
        ? undefined
        : `it enforces its own query result location ${enforced} (s3_staging_dir is ignored)`,
    ].filter((p): p is string => p !== undefined);
    const fatal = problems.filter((p) => !p.startsWith("it enforces"));
    add(
      "workgroup",
      fatal.length === 0,
      `workgroup '${target.workgroup}': ${workgroup.State ?? "ENABLED"}, engine ${engine}${problems.length > 0 ? `; ${problems.join("; ")}` : ""}`,
    );
  }

  for (const database of databases) {
    try {
      await ctx.clients.glue.send(new GetDatabaseCommand({ Name: database }));
      add(`database ${database}`, true, `Glue database '${database}' exists`);
    } catch (error) {
      const { name, message } = describe(error);
      add(
        `database ${database}`,
        false,
        name === "EntityNotFoundException"
          ? `Glue database '${database}' does not exist (sluice run creates it; or create it with CREATE DATABASE ${database})`
          : `cannot read Glue database '${database}' (${name}: ${message})`,
      );
    }
  }

  try {
    const { bucket, prefix } = parseS3Directory(target.s3_staging_dir);
    await ctx.clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }),
    );
    add("staging dir", true, `S3 staging dir ${target.s3_staging_dir} is readable`);
  } catch (error) {
    const { name, message } = describe(error);
    add(
      "staging dir",
      false,
      `cannot list S3 staging dir ${target.s3_staging_dir} (${name}: ${message})`,
    );
  }
  return checks;
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}
