// Summarise a V8 CPU profile (`node --cpu-prof`): the top functions by self time and by
// inclusive time (each function counted once per sample, however often it recurs on the stack),
// as percentages of the samples. Used for issue #14's compile profiles:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof apps/cli/bin/sluice.js --project-dir P compile
//   node tests/bench/cpu-profile-summary.mjs /tmp/prof/*.cpuprofile [selfRows] [inclusiveRows]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Self and inclusive sample counts per function of a parsed `.cpuprofile`.
 * @param {{nodes: {id: number, callFrame: {functionName: string, url: string, lineNumber: number},
 *   children?: number[]}[], samples: number[]}} profile
 */
function profileTotals(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = ({ callFrame: f }) =>
    `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
  const hits = new Map();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map();
  const inclusive = new Map();
  for (const [id, count] of hits) {
    const own = name(byId.get(id));
    self.set(own, (self.get(own) ?? 0) + count);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = name(byId.get(at));
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + count);
    }
  }
  return { samples: profile.samples.length, self, inclusive };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, selfRows = "40", inclusiveRows = "80"] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node tests/bench/cpu-profile-summary.mjs FILE.cpuprofile [self] [incl]");
    process.exit(2);
  }
  const { samples, self, inclusive } = profileTotals(JSON.parse(readFileSync(file, "utf8")));
  const rows = (title, totals, n) => {
    console.log(`\n## ${title}`);
    for (const [key, count] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
      console.log(`${((100 * count) / samples).toFixed(1).padStart(5)}% ${key}`);
  };
  console.log(`${samples} samples`);
  rows("self", self, selfRows);
  rows("inclusive", inclusive, inclusiveRows);
}
