import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "./cli.js";

/** Credentials for the SDK clients (athena-local accepts any). */
export const athenaLocalEnv = {
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
  NODE_NO_WARNINGS: "1",
};

/** Start the built `sluice athena-local` on a free port; resolves with its URL once it listens. */
export function startAthenaLocal(dir: string): Promise<{
  url: string;
  child: ChildProcess;
  stopped: Promise<{ code: number | null; stdout: string }>;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "apps/cli/bin/sluice.js"),
        "athena-local",
        "--dir",
        dir,
        "--latency-ms",
        "5",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...athenaLocalEnv },
      },
    );
    let stdout = "";
    const stopped = new Promise<{ code: number | null; stdout: string }>((done) =>
      child.on("close", (code) => done({ code, stdout })),
    );
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ url, child, stopped });
    });
    child.on("error", reject);
    void stopped.then(({ code }) =>
      reject(new Error(`athena-local exited (${code}) before listening: ${stdout}`)),
    );
  });
}

/**
 * Point a models project copy's `prod` target at an athena-local endpoint serving `awsDir`, and
 * create the target's buckets there (s3_lake_root s3://sluice-lake, s3_staging_dir
 * s3://sluice-athena-results/queries/).
 */
export async function pointProdAt(projectDir: string, awsDir: string, url: string): Promise<void> {
  await mkdir(path.join(awsDir, "sluice-lake"), { recursive: true });
  await mkdir(path.join(awsDir, "sluice-athena-results"), { recursive: true });
  const config = path.join(projectDir, "sluice.yml");
  const yml = await readFile(config, "utf8");
  if (!/^ {4}engine: athena$/m.test(yml)) throw new Error(`no athena target in ${config}`);
  await writeFile(
    config,
    yml.replace(/^ {4}engine: athena$/m, `    engine: athena\n    endpoint: ${url}`),
  );
}
