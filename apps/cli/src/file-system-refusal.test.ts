import { describe, expect, it } from "vitest";
import { fileSystemRefusal } from "./file-system-refusal.js";

/** An error as Node's fs throws it. */
const fsError = (code: string, syscall: string, at?: string) =>
  Object.assign(new Error(`${code}: ${syscall}${at ? ` '${at}'` : ""}`), {
    code,
    syscall,
    ...(at ? { path: at } : {}),
  });

describe("fileSystemRefusal", () => {
  it("names the file when Node does, as the file a temporary one would have become", () => {
    expect(fileSystemRefusal(fsError("EPERM", "open", "/p/target/manifest.json.4242.tmp"))).toBe(
      "cannot open /p/target/manifest.json: operation not permitted (EPERM): check who may write there (and that the file is not immutable: lsattr)",
    );
    expect(fileSystemRefusal(fsError("EDQUOT", "write"))).toBe(
      "cannot write a file: disk quota exceeded (EDQUOT): free space within your quota and run the command again",
    );
    expect(fileSystemRefusal(fsError("EMFILE", "open", "/p/x.sql"))).toBe(
      "cannot open /p/x.sql: too many open files (EMFILE): raise the limit of open files (ulimit -n) and run the command again",
    );
  });

  it("anything else stays a bug to report: no line", () => {
    expect(fileSystemRefusal(fsError("ENOENT", "open", "/p/x"))).toBeUndefined();
    expect(fileSystemRefusal(Object.assign(new Error("x"), { code: "ENOSPC" }))).toBeUndefined();
    expect(fileSystemRefusal(new TypeError("x is undefined"))).toBeUndefined();
    expect(fileSystemRefusal("ENOSPC")).toBeUndefined();
  });
});
