// Budget: `npx sluice --help` under 0.5 s; `sluice compile` of the models project under 1 s.
// Baseline in the same run: a bare `node -e ""` start, so the ratio survives a noisy machine.
import { medianOf, report, sluiceBin, timeCommand } from "./lib.mjs";

const node = medianOf(7, () => timeCommand(process.execPath, ["-e", ""]).ms);
const help = medianOf(7, () => timeCommand(process.execPath, [sluiceBin, "--help"]).ms);
const compileLocal = medianOf(5, () => timeCommand(process.execPath, [sluiceBin, "compile"]).ms);
const compileProd = medianOf(5, () => timeCommand(process.execPath, [sluiceBin, "compile", "--target", "prod"]).ms);
report("CLI start-up and compile (median ms)", {
  "node -e '' (baseline)": node,
  "sluice --help": help,
  "sluice --help / node baseline": help / node,
  "sluice compile (local)": compileLocal,
  "sluice compile --target prod": compileProd,
  "budget --help < 500 ms": help < 500 ? "ok" : "OVER",
  "budget compile < 1000 ms": Math.max(compileLocal, compileProd) < 1000 ? "ok" : "OVER",
});
