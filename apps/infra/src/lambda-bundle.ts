import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Bundles the generator's Lambda handler (`@sluice/generator`'s built `lambda.js`, with faker
 * and the AWS SDK clients it uses) into `<outDir>/index.mjs`, for `lambda.Code.fromAsset(outDir)`.
 * Needs `npx nx run generator:build` first. Offline: nothing is downloaded.
 */
export async function bundleGeneratorLambda(outDir: string): Promise<string> {
  // The package's main entry is dist/index.js; its handler module sits beside it.
  const main = fileURLToPath(import.meta.resolve("@sluice/generator"));
  const entry = path.join(path.dirname(main), "lambda.js");
  const { build } = await import("rolldown");
  mkdirSync(outDir, { recursive: true });
  await build({
    input: entry,
    platform: "node",
    logLevel: "silent",
    output: { dir: outDir, entryFileNames: "index.mjs", format: "esm", codeSplitting: false },
  });
  return outDir;
}
