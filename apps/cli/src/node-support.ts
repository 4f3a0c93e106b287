import type { SetupCheck } from "@sluice/engines";

/** The first Node major the AWS SDK for JavaScript supports in its releases after January 2027. */
export const AWS_SDK_NODE_MAJOR = 22;

/**
 * `sluice debug`'s check of the Node running sluice (`version` as `process.version`). It passes on
 * any Node sluice runs on; under Node < 22 an AWS target's says what the AWS SDK's
 * NodeVersionSupportWarning said (bin/sluice.js keeps that warning off every command).
 */
export function nodeCheck(version: string, awsTarget: boolean): SetupCheck {
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  const old = awsTarget && major < AWS_SDK_NODE_MAJOR;
  return {
    name: "node",
    ok: true,
    detail: old
      ? `${version}: AWS SDK for JavaScript releases after the first week of January 2027 need ` +
        `node >= ${AWS_SDK_NODE_MAJOR} (this sluice pins its SDK; move to node ${AWS_SDK_NODE_MAJOR} before updating it)`
      : version,
  };
}
