import { fileSystemReason } from "@sluice/engines";

/** What the user can do about each refusal (see {@link fileSystemRefusal}). */
const remedies: Record<string, string> = {
  ENOSPC: "free space on that disk and run the command again",
  EDQUOT: "free space within your quota and run the command again",
  EROFS: "run it where the project and its lake can be written",
  EACCES: "check who may write there",
  EPERM: "check who may write there (and that the file is not immutable: lsattr)",
  EMFILE: "raise the limit of open files (ulimit -n) and run the command again",
  ENFILE: "close other programs or raise the system's limit, and run the command again",
};

/**
 * A file system's refusal thrown by Node's fs (a full disk, a read-only file system, a denied
 * permission, too many open files) as the one line the CLI prints: what was refused, where
 * when Node says, why and what to do. It is the machine's state, not a bug in sluice (no
 * "unexpected"). A temporary file's name (`<file>.<pid>.tmp`) is shown as the file it would
 * have become; `file` names it when Node's error does not (a write to an open file). Undefined
 * for any other error.
 *
 * @example
 * fileSystemRefusal(enospcOnWrite)
 * // "cannot write a file: no space left on the device (ENOSPC): free space on that disk and ..."
 */
export function fileSystemRefusal(error: unknown, file?: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path: at } = error as NodeJS.ErrnoException;
  const reason = fileSystemReason(code);
  if (reason === undefined || syscall === undefined) return undefined;
  const named = at ?? file;
  const where = named === undefined ? "a file" : named.replace(/\.\d+\.tmp$/, "");
  return `cannot ${syscall} ${where}: ${reason} (${code}): ${remedies[code!]}`;
}
