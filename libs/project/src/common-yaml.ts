import type { FastNode } from "./fast-yaml.js";

/** A document read by {@link readCommonYaml}: its data and its root mapping's spot tree. */
export interface CommonYaml {
  data: Record<string, unknown>;
  root: FastNode;
}

// Anything outside the common shape is left to js-yaml: comments, quotes, flow mappings,
// block scalars, escapes, tabs and CR (and what fast-yaml's UNUSUAL already refuses).
const NOT_COMMON = /[#'"{}|>\\\t\r&*!%?@`]/;
const KEY = /[A-Za-z_][A-Za-z0-9_-]*/y;
// A plain scalar both parsers read as this very string: a letter or `_` first, no `:`, no
// trailing blank, and not a word the core schema gives a meaning (null, true, false, ~).
const WORD = /^[A-Za-z_](?:[A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?$/;
const KEYWORD = /^(?:null|true|false)$/i;
const INT = /^(?:0|[1-9][0-9]{0,14})$/;

class NotCommon extends Error {}

/** A scalar value: an unsigned integer, or a plain word (see WORD). */
function scalar(raw: string): string | number {
  if (INT.test(raw)) return Number(raw);
  if (!WORD.test(raw) || KEYWORD.test(raw)) throw new NotCommon();
  return raw;
}

/**
 * Read the common shape of properties files without a general YAML parser: block mappings with
 * plain keys, block sequences (`- ` at the parent's indent or deeper), plain one-line scalars
 * (words or unsigned integers) and one-line flow sequences of them (`[not_null, unique]`).
 * Undefined for anything else, which fast-yaml then reads with js-yaml; the data and every
 * spot are what that path gives (fast-yaml.test.ts compares both with the `yaml` library).
 *
 * @example readCommonYaml("models:\n  - name: a\n    tests: [unique]\n")?.data
 * // { models: [{ name: "a", tests: ["unique"] }] }
 */
export function readCommonYaml(text: string): CommonYaml | undefined {
  if (NOT_COMMON.test(text)) return undefined;
  try {
    return new CommonReader(text).document();
  } catch (e) {
    if (e instanceof NotCommon) return undefined;
    throw e;
  }
}

/** Reads the text line by line; every method throws {@link NotCommon} on what it does not know. */
class CommonReader {
  /** Offsets of the current line's start, first non-blank character and end (before `\n`). */
  private start = 0;
  private content = 0;
  private end = 0;

  constructor(private readonly text: string) {
    this.seek(0);
  }

  document(): CommonYaml {
    if (this.content !== this.start) throw new NotCommon();
    const data: Record<string, unknown> = {};
    const root = this.mapping(0, data);
    if (this.start < this.text.length) throw new NotCommon();
    return { data, root };
  }

  /** Move to the first line from `from` with text (blank lines are skipped). */
  private seek(from: number): void {
    const text = this.text;
    for (let at = from; at < text.length;) {
      let end = text.indexOf("\n", at);
      if (end === -1) end = text.length;
      let content = at;
      while (content < end && text.charCodeAt(content) === 0x20) content++;
      if (content < end) {
        if (text.charCodeAt(end - 1) === 0x20) throw new NotCommon();
        [this.start, this.content, this.end] = [at, content, end];
        return;
      }
      at = end + 1;
    }
    this.start = this.content = this.end = text.length;
  }

  private get indent(): number {
    return this.content - this.start;
  }

  private get atEnd(): boolean {
    return this.start >= this.text.length;
  }

  private isItem(): boolean {
    return this.text.startsWith("- ", this.content);
  }

  /** The block mapping whose keys start at column `indent`, the first at `from` (default: the line's text). */
  private mapping(indent: number, into: Record<string, unknown>, from = this.content): FastNode {
    const node: FastNode = { start: from, hasText: true, pairs: new Map() };
    let at = from;
    for (;;) {
      KEY.lastIndex = at;
      if (!KEY.test(this.text)) throw new NotCommon();
      const keyEnd = KEY.lastIndex;
      if (this.text.charCodeAt(keyEnd) !== 0x3a) throw new NotCommon();
      const key = this.text.slice(at, keyEnd);
      if (Object.hasOwn(into, key)) throw new NotCommon();
      const valueAt = keyEnd + 1;
      let value: FastNode;
      if (valueAt === this.end) {
        this.seek(this.end + 1);
        if (this.atEnd) throw new NotCommon();
        if (this.indent > indent) value = this.block(this.indent, into, key);
        else if (this.indent === indent && this.isItem()) value = this.block(indent, into, key);
        else throw new NotCommon();
      } else {
        if (this.text.charCodeAt(valueAt) !== 0x20) throw new NotCommon();
        value = this.inline(valueAt + 1, into, key);
        this.seek(this.end + 1);
      }
      node.pairs!.set(key, { key: { start: at, hasText: true }, value });
      if (this.atEnd || this.indent < indent) return node;
      if (this.indent > indent || this.isItem()) throw new NotCommon();
      at = this.content;
    }
  }

  /** A block node starting on the current line at column `indent`: a sequence or a mapping. */
  private block(indent: number, parent: Record<string, unknown>, key: string): FastNode {
    if (this.isItem()) {
      const items: unknown[] = [];
      parent[key] = items;
      return this.sequence(indent, items);
    }
    const data: Record<string, unknown> = {};
    parent[key] = data;
    return this.mapping(indent, data);
  }

  /** The block sequence whose `- ` are at column `indent`, from the current line. */
  private sequence(indent: number, items: unknown[]): FastNode {
    const node: FastNode = { start: this.content, hasText: true, items: [] };
    for (;;) {
      let at = this.content + 1;
      while (this.text.charCodeAt(at) === 0x20) at++;
      if (this.text.startsWith("-", at) || at >= this.end) throw new NotCommon();
      KEY.lastIndex = at;
      const isPair = KEY.test(this.text) && this.text.charCodeAt(KEY.lastIndex) === 0x3a;
      if (isPair) {
        const data: Record<string, unknown> = {};
        items.push(data);
        node.items!.push(this.mapping(at - this.start, data, at));
      } else {
        const holder: Record<string, unknown> = {};
        node.items!.push(this.inline(at, holder, "item"));
        items.push(holder.item);
        this.seek(this.end + 1);
      }
      if (this.atEnd || this.indent < indent) return node;
      if (this.indent > indent) throw new NotCommon();
      if (!this.isItem()) return node;
    }
  }

  /** A value from `at` to the end of the line: a scalar or a flow sequence of scalars. */
  private inline(at: number, into: Record<string, unknown>, key: string): FastNode {
    const text = this.text;
    if (text.charCodeAt(at) !== 0x5b) {
      into[key] = scalar(text.slice(at, this.end));
      return { start: at, hasText: true };
    }
    if (text.charCodeAt(this.end - 1) !== 0x5d) throw new NotCommon();
    const node: FastNode = { start: at, hasText: true, items: [] };
    const values: unknown[] = [];
    let from = at + 1;
    for (const piece of text.slice(at + 1, this.end - 1).split(",")) {
      let lead = 0;
      while (piece.charCodeAt(lead) === 0x20) lead++;
      const raw = piece.slice(lead).trimEnd();
      if (raw === "" || /[[\]]/.test(raw)) throw new NotCommon();
      values.push(scalar(raw));
      node.items!.push({ start: from + lead, hasText: true });
      from += piece.length + 1;
    }
    into[key] = values;
    return node;
  }
}
