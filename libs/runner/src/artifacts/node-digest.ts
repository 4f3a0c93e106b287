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
  text?: string,
): string {
  return new NodeText(node, digest, text).rootless(root, runId);
}

/**
 * `node`'s {@link NodeText.placeless} digest: its rootless digest when that is the same for every
 * run id and folder it is compiled with, undefined when a field its checksums read holds the
 * folder or the run id (or the text holds the run id in lower case). What a compile records, so
 * a run of the same compile takes it instead of serializing the node.
 */
export function placelessDigest(
  node: CompiledNode,
  digest: string,
  root: string,
  runId: string,
  text?: string,
): string | undefined {
  return new NodeText(node, digest, text).placeless(root, runId);
}

/**
 * A node's text and digest, for both placeholder digests ({@link rootlessDigest},
 * {@link NodeText.runFree}): the text of the fields they check is serialized once, when first
 * needed (a build takes both of each of 30,000 nodes at 10,000 models).
 */
export class NodeText {
  /** `JSON.stringify(node)`. */
  readonly text: string;
  /** The node's digest: given, else {@link nodeDigest}'s. */
  readonly digest: string;
  private readText: string | undefined;

  constructor(
    private readonly node: CompiledNode,
    digest?: string,
    /** `JSON.stringify(node)`, when already made. */
    text: string = JSON.stringify(node),
  ) {
    this.text = text;
    this.digest = digest ?? textDigest(text);
  }

  /** The text of the node without the fields that place it (location, statements). */
  private read(): string {
    if (this.readText === undefined) {
      const {
        location: _location,
        statements: _statements,
        incrementalStatements: _incrementalStatements,
        storeFailures: _storeFailures,
        ...read
      } = this.node;
      this.readText = JSON.stringify(read);
    }
    return this.readText;
  }

  /** See {@link rootlessDigest}. */
  rootless(root: string, runId: string): string {
    return this.placeless(root, runId) ?? this.digest;
  }

  /**
   * The rootless digest when it is one for every folder and run id (see {@link placelessDigest}):
   * the digest when the text holds neither, else of the text with both written as placeholders
   * when only fields no checksum or manifest entry reads hold them (a table's `location`, the
   * statements). Undefined when a field they read holds either (it is of this folder and run
   * only), or the text holds the run id in lower case (a name made of it), which no placeholder
   * replaces.
   */
  placeless(root: string, runId: string): string | undefined {
    const folder = inJson(root);
    const run = inJson(runId);
    const { text, digest } = this;
    if (run !== "" && runId.toLowerCase() !== runId && text.includes(inJson(runId.toLowerCase())))
      return undefined;
    if (folder === "" || run === "" || !(text.includes(folder) || text.includes(run)))
      return digest;
    if (this.read().includes(folder) || this.read().includes(run)) return undefined;
    return textDigest(text.replaceAll(folder, ROOT).replaceAll(run, RUN_ID));
  }

  /**
   * The digest a manifest entry's key takes (see `entryKeys`): {@link NodeText.placeless}'s, the
   * same in every run of one compile (and what the compile records for them), else
   * {@link NodeText.runFree}'s.
   */
  entryDigest(root: string, runId: string): string {
    return this.placeless(root, runId) ?? this.runFree(runId);
  }

  /**
   * The digest a manifest entry's key takes for a node with no placeless digest (see
   * {@link NodeText.entryDigest}): of the text with the run id written as a placeholder when the run id is only where no entry reads it (a table's
   * `location`, whose entry keeps the folder without the run's version, and the statements), so
   * consecutive builds of an unchanged project key every entry the same; otherwise
   * {@link NodeText.digest}.
   */
  runFree(runId: string): string {
    const run = inJson(runId);
    const { text, digest } = this;
    if (run === "" || !text.includes(run) || this.read().includes(run)) return digest;
    return textDigest(text.replaceAll(run, RUN_ID));
  }
}
