// Preload (`node --import`) for the benches: at exit, print the main thread's CPU milliseconds
// (user + system from /proc/self/task/<pid>/stat, Linux) to stderr as `SLUICE_MAIN_CPU_MS <ms>`.
// The main thread's CPU is the command's critical path and, unlike wall time, barely moves with
// the machine's load; process CPU (GNU time) also counts worker and libuv threads.
import { readFileSync, writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread && process.platform === "linux")
  process.on("exit", () => {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]);
    writeSync(2, `\nSLUICE_MAIN_CPU_MS ${ticks * 10}\n`);
  });
