import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "./cli.js";

/** Environment for CLI runs against the endpoint: any credentials do. */
export const awsLocalEnv = {
  AWS_ACCESS_KEY_ID: "local",
  AWS_SECRET_ACCESS_KEY: "local",
  NODE_NO_WARNINGS: "1",
};

/** A running `sluice athena-local` child process. */
export interface Endpoint {
  url: string;
  child: ChildProcess;
  stopped: Promise<{ code: number | null; stdout: string }>;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
}

/**
 * Start the built `sluice athena-local` on a free port over `dir` (the buckets of the models
 * project's `prod` target are created in it); resolves with its URL once it listens.
 */
export async function startEndpoint(dir: string, latencyMs = 5): Promise<Endpoint> {
  // Buckets of the prod target: s3_lake_root s3://sluice-lake, s3_staging_dir s3://sluice-athena-results/queries/.
  await mkdir(path.join(dir, "sluice-lake"), { recursive: true });
  await mkdir(path.join(dir, "sluice-athena-results"), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "apps/cli/bin/sluice.js"),
        "athena-local",
        "--dir",
        dir,
        "--latency-ms",
        String(latencyMs),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...awsLocalEnv } },
    );
    let stdout = "";
    const stopped = new Promise<{ code: number | null; stdout: string }>((done) =>
      child.on("close", (code) => done({ code, stdout })),
    );
    const stop = async () => {
      child.kill("SIGTERM");
      await stopped;
    };
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve({ url, child, stopped, stop });
    });
    child.on("error", reject);
    void stopped.then(({ code }) =>
      reject(new Error(`athena-local exited (${code}) before listening: ${stdout}`)),
    );
  });
}

/** Point the `prod` target (engine athena) of the project in `projectDir` at `url`. */
export async function pointProdAt(projectDir: string, url: string): Promise<void> {
  const config = path.join(projectDir, "sluice.yml");
  const yml = await readFile(config, "utf8");
  if (!/^ {4}engine: athena$/m.test(yml)) throw new Error(`no athena target in ${config}`);
  await writeFile(
    config,
    yml.replace(/^ {4}engine: athena$/m, `    engine: athena\n    endpoint: ${url}`),
  );
}

/** One call the endpoint answered (see apps/aws-local `CallLog`). */
export interface LoggedCall {
  api: string;
  resource: string;
}

/** The endpoint's call log since it was last emptied (`empty`: empty it after reading). */
export async function callLog(url: string, empty = false): Promise<LoggedCall[]> {
  const log = (await (await fetch(`${url}/_aws-local/calls/log`)).json()) as LoggedCall[];
  if (empty) await fetch(`${url}/_aws-local/calls/log`, { method: "DELETE" });
  return log;
}
