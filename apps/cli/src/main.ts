import { runCli } from "./cli.js";
import { ExitCode } from "./command.js";
import { colorEnabled } from "./output/color-enabled.js";
import { recordGate } from "./replay-gate.js";

// The one place that sets the exit code. No top-level await: the bundle is CommonJS (see
// rolldown.config.mjs), which is what lets bin/sluice.js give V8 a code cache.

// A reader that has gone (`sluice ls | head -1`, EPIPE) is handled in bin/sluice.js, before
// the replay gate, for both.

// Ctrl-C exits 130 (128 + SIGINT), as shells expect. The first aborts io.signal: commands that
// run queries stop them (an exit while DuckDB runs a query would wait for the query) and
// firehose-local flushes; whatever has not ended 2 s later, or at a second Ctrl-C, ends then.
// bin/sluice.js's handler (Ctrl-C while loading) stays: removing it would drop a press that
// arrived while the bundle loaded (see there); it does nothing once this one is added.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
  interrupt.abort(new Error("interrupted (Ctrl-C)"));
  setTimeout(() => process.exit(ExitCode.interrupted), 2000).unref();
});

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
}).then((code) => {
  process.exitCode = interrupt.signal.aborted ? ExitCode.interrupted : code;
});
