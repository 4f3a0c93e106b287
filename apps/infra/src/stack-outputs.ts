// Plain data and string work only: `sluice init-target` imports this without loading the CDK.
import type { AthenaTarget } from "@sluice/project";

/** The stack's outputs that make a sluice target, by output key. */
export const targetOutputKeys = {
  region: "Region",
  workgroup: "AthenaWorkgroup",
  resultsLocation: "AthenaResultsLocation",
  lakeRoot: "LakeRoot",
  rawRoot: "RawRoot",
  databases: "GlueDatabases",
  buildRoleArn: "BuildRoleArn",
  stream: "EventStreamName",
  deliveryStream: "RawDeliveryStreamName",
} as const;

/** An Athena target of sluice.yml, as `init-target` writes it (no profile or endpoint). */
export type StackTarget = Omit<AthenaTarget, "profile" | "endpoint" | "build_lease_seconds">;

/**
 * The sluice target a deployed stack describes, from `cdk deploy --outputs-file` JSON
 * (`{ "<stack name>": { "<output key>": "<value>" } }`); one message per missing or bad output.
 * With several stacks in the file, `stackName` picks one.
 *
 * @example
 * targetFromStackOutputs({ "sluice-prod": { Region: "eu-west-1", ... } });
 */
export function targetFromStackOutputs(
  outputs: unknown,
  stackName?: string,
):
  | { ok: true; stack: string; target: StackTarget; buildRoleArn?: string }
  | { ok: false; errors: string[] } {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs))
    return { ok: false, errors: ["expected the JSON object `cdk deploy --outputs-file` writes"] };
  const stacks = Object.keys(outputs).filter((k) => {
    const v = (outputs as Record<string, unknown>)[k];
    return typeof v === "object" && v !== null && targetOutputKeys.lakeRoot in v;
  });
  const name = stackName ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (name === undefined)
    return {
      ok: false,
      errors: [
        stacks.length === 0
          ? `no stack in the file has a ${targetOutputKeys.lakeRoot} output: is it the seed's stack (apps/infra)?`
          : `several stacks (${stacks.join(", ")}): choose one with --stack`,
      ],
    };
  const o = (outputs as Record<string, Record<string, unknown>>)[name];
  if (o === undefined)
    return { ok: false, errors: [`no stack named ${name} in the file (${stacks.join(", ")})`] };
  const errors: string[] = [];
  const text = (key: string, pattern: RegExp, what: string) => {
    const v = o[key];
    if (typeof v !== "string" || !pattern.test(v)) {
      errors.push(`output ${key}: expected ${what}, got ${JSON.stringify(v)}`);
      return "";
    }
    return v;
  };
  const region = text(targetOutputKeys.region, /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region");
  const workgroup = text(targetOutputKeys.workgroup, /^[\w.-]{1,128}$/, "a workgroup name");
  const staging = text(
    targetOutputKeys.resultsLocation,
    /^s3:\/\/[^/]+\/.*\/$/,
    "s3://bucket/prefix/",
  );
  const lakeRoot = text(targetOutputKeys.lakeRoot, /^s3:\/\/[^/]+$/, "s3://bucket");
  const rawRoot = text(targetOutputKeys.rawRoot, /^s3:\/\/[^/]+$/, "s3://bucket");
  const dbText = text(targetOutputKeys.databases, /^\{.*\}$/, "a JSON object of schema → database");
  let databases: Record<string, string> = {};
  if (dbText) {
    try {
      databases = JSON.parse(dbText) as Record<string, string>;
    } catch {
      errors.push(`output ${targetOutputKeys.databases}: not JSON`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const role = o[targetOutputKeys.buildRoleArn];
  return {
    ok: true,
    stack: name,
    target: {
      engine: "athena",
      region,
      workgroup,
      s3_staging_dir: staging,
      s3_lake_root: lakeRoot,
      s3_raw_root: rawRoot,
      databases,
      threads: 4,
    },
    ...(typeof role === "string" ? { buildRoleArn: role } : {}),
  };
}

/** The target as the YAML block under `targets:` in sluice.yml (2-space indent, `name:` first). */
export function targetYaml(name: string, target: StackTarget): string {
  const q = (s: string) => (/^[\w./:-]+$/.test(s) ? s : JSON.stringify(s));
  return [
    `${name}:`,
    `  engine: ${target.engine}`,
    `  region: ${q(target.region)}`,
    `  workgroup: ${q(target.workgroup)}`,
    `  s3_staging_dir: ${q(target.s3_staging_dir)}`,
    `  s3_lake_root: ${q(target.s3_lake_root)}`,
    ...(target.s3_raw_root !== undefined ? [`  s3_raw_root: ${q(target.s3_raw_root)}`] : []),
    `  databases:`,
    ...Object.entries(target.databases).map(([k, v]) => `    ${q(k)}: ${q(v)}`),
    `  threads: ${target.threads}`,
  ].join("\n");
}
