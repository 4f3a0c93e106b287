import { runCli } from "./cli.js";
import { ExitCode } from "./command.js";
import { colorEnabled } from "./output/color.js";

// The one place that sets the exit code. No top-level await: the bundle is CommonJS (see
// rolldown.config.mjs), which is what lets bin/sluice.js give V8 a code cache.

// `sluice ls | head -1`: the reader has gone, so there is nobody left to tell; end quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(ExitCode.ok);
});

// Ctrl-C exits 130 (128 + SIGINT), as shells expect. A command that stops gracefully on Ctrl-C
// (build stops its queries, firehose-local flushes) has its own listener and finishes first;
// with none, or on a second Ctrl-C, the process ends now.
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted || process.listenerCount("SIGINT") === 1) process.exit(ExitCode.interrupted);
  interrupted = true;
});

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
  color: { out: colorEnabled(process.stdout), err: colorEnabled(process.stderr) },
}).then((code) => {
  process.exitCode = interrupted ? ExitCode.interrupted : code;
});
