import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reportPathProblem } from "./report-path.js";

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-report-path-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a --junit-xml path, checked before the run", () => {
  it("a new file in a new folder: none; the folder made, no file left behind", () => {
    const dir = tempDir();
    const file = path.join(dir, "reports/ci/junit.xml");
    expect(reportPathProblem(file)).toBeUndefined();
    expect(existsSync(path.dirname(file))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it("an existing file: none, and left as it was", () => {
    const file = path.join(tempDir(), "junit.xml");
    writeFileSync(file, "<old/>");
    expect(reportPathProblem(file)).toBeUndefined();
    expect(readFileSync(file, "utf8")).toBe("<old/>");
  });

  it("no name, a folder, a name too long, a file where a folder must be: why", () => {
    const dir = tempDir();
    expect(reportPathProblem("")).toBe("no file named");
    expect(reportPathProblem(dir)).toBe(`'${dir}' is a folder`);
    const long = path.join(dir, `${"x".repeat(300)}.xml`);
    expect(reportPathProblem(long)).toBe(`'${long}' cannot be written (ENAMETOOLONG)`);
    const file = path.join(dir, "a-file");
    writeFileSync(file, "");
    expect(reportPathProblem(path.join(file, "junit.xml"))).toMatch(
      /cannot be written \(E(NOTDIR|EXIST)\)$/,
    );
  });
});
