import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BackgroundRemover } from "./background-remover.js";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A version folder as an incremental run leaves it: carried files flat, a few partition folders. */
function version(flatFiles: number, folders: number): string {
  const root = mkdtempSync(join(tmpdir(), "sluice-remover-"));
  roots.push(root);
  for (let i = 0; i < flatFiles; i++) writeFileSync(join(root, `d=${i}~part-0.parquet`), "x");
  for (let i = 0; i < folders; i++) {
    mkdirSync(join(root, `d=new${i}`, "nested"), { recursive: true });
    writeFileSync(join(root, `d=new${i}`, "part-1.parquet"), "y");
    writeFileSync(join(root, `d=new${i}`, "nested", "part-2.parquet"), "z");
  }
  return root;
}

describe("BackgroundRemover", () => {
  it("removes light folders whole, however many flat files they hold, and counts a folder already gone", async () => {
    const remover = new BackgroundRemover();
    const many = version(50, 2);
    const few = version(1, 0);
    const gone = join(tmpdir(), "sluice-remover-never-there");
    remover.remove([many, few, gone]);
    expect(await remover.finish()).toBe(3);
    expect([many, few].filter((dir) => existsSync(dir))).toEqual([]);
  });
});
