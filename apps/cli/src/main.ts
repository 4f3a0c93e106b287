import { runCli } from "./cli.js";
import { ExitCode } from "./command.js";
import { colorEnabled } from "./output/color-enabled.js";
import { recordGate } from "./replay-gate.js";

// The one place that sets the exit code. No top-level await: the bundle is CommonJS (see
// rolldown.config.mjs), which is what lets bin/sluice.js give V8 a code cache.

// A reader that has gone (`sluice ls | head -1`, EPIPE) is handled in bin/sluice.js, before
// the replay gate, for both.

// Ctrl-C exits 130 (128 + SIGINT), as shells expect; SIGTERM (a CI job cancelled, a scheduler
// or container stopping the task) the same way with 143 (128 + 15), once the command has asked
// (io.catchTerm: it runs queries or generates events), where dying by the signal left an Athena
// query running and no run_results.json. Before that SIGTERM ends the process at once, as by
// default: a handler runs only when the event loop turns, and a long synchronous load and
// compile (4.5 s at 10,000 models) would hold it. The first aborts io.signal: commands that run
// queries stop them (an exit while DuckDB runs a query would wait for the query) and
// firehose-local flushes; whatever has not ended 2 s later, or at a second signal, ends then.
// bin/sluice.js's handler (Ctrl-C while loading) stays: removing it would drop a press that
// arrived while the bundle loaded (see there); it does nothing once this one is added.
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
stopOn("SIGINT", "interrupted (Ctrl-C)", ExitCode.interrupted);
let catchingTerm = false;
const catchTerm = (): void => {
  if (catchingTerm) return;
  catchingTerm = true;
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
  catchTerm,
}).then((code) => {
  // Ctrl-C: 130 whatever the command made of it; SIGTERM: 143.
  process.exitCode = stoppedWith ?? code;
});
