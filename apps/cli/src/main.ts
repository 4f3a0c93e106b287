import { runCli } from "./cli.js";

// The one place that sets the exit code. No top-level await: the bundle is CommonJS (see
// rolldown.config.mjs), which is what lets bin/sluice.js give V8 a code cache.
void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
}).then((code) => {
  process.exitCode = code;
});
