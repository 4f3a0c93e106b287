/**
 * The source of a `--require` hook for node (not for sluice: its arguments and environment stay
 * the same) that appends the path of every CommonJS file the process loads to `loads`, one a line.
 * The CLI's bundle is CommonJS chunks, so the lines say which chunks a command loaded.
 *
 * @example
 * await writeFile(hook, loadRecordingHook(loads));
 * spawnSync(process.execPath, ["--require", hook, bin, "build"]);
 */
export function loadRecordingHook(loads: string): string {
  return `{ const M = require("node:module"); const fs = require("node:fs"); const load = M.prototype.load;
M.prototype.load = function (f) { fs.appendFileSync(${JSON.stringify(loads)}, f + "\\n"); return load.call(this, f); }; }
`;
}
