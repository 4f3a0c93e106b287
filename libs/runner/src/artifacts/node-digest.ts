import { hash } from "node:crypto";
import type { CompiledNode } from "@sluice/compiler";

/**
 * A node's digest as manifest keys use it: sha1 (base64) of its JSON text, what the compile memo
 * keeps as a node's digest (a key built from either is the same key).
 */
export const nodeDigest = (node: CompiledNode): string => textDigest(JSON.stringify(node));

/** {@link nodeDigest} of a node whose JSON text is `text` (`JSON.stringify(node)`). */
export const textDigest = (text: string): string => hash("sha1", text, "base64");

/**
 * What the project's folder and the run id are written as in a {@link rootlessDigest}'s text:
 * control characters, which `JSON.stringify` always escapes, so no node's JSON text holds them and
 * the replacements can be undone (two texts of one folder and run id differ exactly when their
 * rootless texts do).
 */
const ROOT = "\u0001";
const RUN_ID = "\u0002";

/** `value` as it is written inside a JSON string. */
const inJson = (value: string): string => JSON.stringify(value).slice(1, -1);

/**
 * A node's compile digest as a state records it for reuse (see the compiler's `reusedChecksums`),
 * the same for the same node compiled in another folder (a copy of the project, or production's
 * checkout whose artifacts CI restores into prod-artifacts/) or with another run id (`ls` and the
 * run commands compile with a new one, `compile` with the placeholder). `digest`: the node's
 * compile digest; `text`: its JSON text (`JSON.stringify(node)`); `root`: the project's folder
 * (absolute); `runId`: the run id it was compiled with.
 *
 * - A node whose text holds neither `root` nor `runId` keeps `digest`.
 * - A node that holds them only in fields its checksums never read (a table's `location`, the
 *   statements writing there, a store-failures table's location: what a lake target places under
 *   the project's `.lake`, in a folder named by the run id) gets the digest of its text with each
 *   `root` and each `runId` written as a placeholder character. Equal such digests mean texts
 *   equal but for the folder and run id, so equal in every field the checksums read (those hold
 *   neither, on either side).
 * - A node holding either where its checksums read it (its SQL naming a file of the project, or
 *   the run id) keeps `digest`: it matches only a state of the same folder and run id (a compile's
 *   and a `compile` here), so a state made elsewhere hashes it, and a changed path is seen as the
 *   comparison without reuse sees it.
 *
 * @example rootlessDigest(node, digest, "/ci/checkout/models", runId, text) // the same anywhere
 */
export function rootlessDigest(
  node: CompiledNode,
  digest: string,
  root: string,
  runId: string,
  text: string = JSON.stringify(node),
): string {
  const folder = inJson(root);
  const run = inJson(runId);
  if (folder === "" || run === "" || !(text.includes(folder) || text.includes(run))) return digest;
  const {
    location: _location,
    statements: _statements,
    incrementalStatements: _incrementalStatements,
    storeFailures: _storeFailures,
    ...read
  } = node;
  const readText = JSON.stringify(read);
  if (readText.includes(folder) || readText.includes(run)) return digest;
  return textDigest(text.replaceAll(folder, ROOT).replaceAll(run, RUN_ID));
}
