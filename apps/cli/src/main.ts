import { runCli } from "./cli.js";
import { ExitCode } from "./command.js";
import { colorEnabled } from "./output/color-enabled.js";
import { recordGate } from "./replay-gate.js";

// The one place that sets the exit code. No top-level await: the bundle is CommonJS (see
// rolldown.config.mjs), which is what lets bin/sluice.js give V8 a code cache.

// A reader that has gone (`sluice ls | head -1`, EPIPE) is handled in bin/sluice.js, before
// the replay gate, for both.

// Once a command has something to stop (io.catchTerm: it runs queries or generates events;
// io.catchInterrupt: a server), Ctrl-C exits 130 (128 + SIGINT) and SIGTERM (a CI job
// cancelled, a scheduler or container stopping the task) 143 (128 + 15), where dying by the
// signal left an Athena query running and no run_results.json. The first aborts io.signal:
// commands that run queries stop them (an exit while DuckDB runs a query would wait for the
// query) and firehose-local flushes; whatever has not ended 2 s later, or at a second signal,
// ends then. Before that, both keep their default: the process ends at once. A handler runs only
// when the event loop turns, and the load and compile are synchronous for seconds on a large
// project (4.5 s at 10,000 models): Ctrl-C or SIGTERM there waited for the whole compile.
const interrupt = new AbortController();
/** The exit code of the signal that stopped the command (see above). */
let stoppedWith: number | undefined;
const stopOn = (signal: NodeJS.Signals, reason: string, code: number): void => {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(stoppedWith);
    stoppedWith = code;
    interrupt.abort(new Error(reason));
    setTimeout(() => process.exit(code), 2000).unref();
  });
};
const caught = new Set<NodeJS.Signals>();
const catchInterrupt = (): void => {
  if (caught.has("SIGINT")) return;
  caught.add("SIGINT");
  stopOn("SIGINT", "interrupted (Ctrl-C)", ExitCode.interrupted);
};
const catchTerm = (): void => {
  catchInterrupt();
  if (caught.has("SIGTERM")) return;
  caught.add("SIGTERM");
  stopOn("SIGTERM", "terminated (SIGTERM)", ExitCode.terminated);
};

// This process is the CLI: its replays may be printed by bin/sluice.js's gate (replay-gate.ts).
recordGate(process.argv.slice(2));
void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
  ...(process.stderr.isTTY
    ? {
        // A terminal that reports no size (0 columns: some containers, CI ptys) gets 80.
        statusLine: (text: string) =>
          process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 80) - 1)}`),
      }
    : {}),
  color: { out: colorEnabled(process.stdout), err: colorEnabled(process.stderr) },
  signal: interrupt.signal,
  catchInterrupt,
  catchTerm,
}).then((code) => {
  // Ctrl-C: 130 whatever the command made of it; SIGTERM: 143.
  process.exitCode = stoppedWith ?? code;
});
