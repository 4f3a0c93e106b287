import type { Options } from "yargs";

/**
 * A command-line mistake found before anything runs: one line on stderr, exit 2. Thrown from
 * option coercions (yargs reports them as parse errors) and from yargs' fail callback.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What a number option accepts; checked while parsing, so a bad value never reaches a handler. */
export interface NumberRule {
  /** Smallest value accepted. */
  min?: number;
  /** Whether `min` itself is refused (`--timeout` must be above 0). */
  minExclusive?: boolean;
  /** Largest value accepted (with `min`: said as "from min to max"). */
  max?: number;
  integer?: boolean;
}

/**
 * Give every option of a command a check of its value: a number option must be a number (and
 * follow its rule), no option may be given without a value or more than once (unless it is an
 * array). yargs turns `--threads abc` into NaN and a bare `--threads` into undefined; checking
 * the text (`string: true` keeps it, `type: number` still shows `[number]` in --help) is what
 * lets the message quote what was typed.
 *
 * @example
 * withValueChecks("threads", { type: "number" }, { min: 1, integer: true });
 */
export function withValueChecks(name: string, option: Options, rule: NumberRule = {}): Options {
  if (option.coerce || option.type === "boolean" || option.type === "count") return option;
  if (option.type === "number") {
    return {
      ...option,
      string: true,
      coerce: (value: unknown) => checkNumber(name, single(name, option, value), rule),
    };
  }
  return { ...option, coerce: (value: unknown) => checkPresent(name, option, value) };
}

function single(name: string, option: Options, value: unknown): unknown {
  if (Array.isArray(value) && !option.array)
    throw new UsageError(`--${name} was given more than once`);
  return value;
}

function checkPresent(name: string, option: Options, value: unknown): unknown {
  const v = single(name, option, value);
  const empty = v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  if (empty) throw new UsageError(`--${name} needs a value`);
  return v;
}

function checkNumber(name: string, value: unknown, rule: NumberRule): number | undefined {
  if (typeof value === "number") return value; // a default
  const text = String(checkPresent(name, {}, value)).trim();
  const n = Number(text);
  const kind = rule.integer ? "a whole number" : "a number";
  const bound =
    rule.min !== undefined && rule.max !== undefined && !rule.minExclusive
      ? ` from ${rule.min} to ${rule.max}`
      : `${rule.min === undefined ? "" : ` ${rule.minExclusive ? "above" : "of at least"} ${rule.min}`}${rule.max === undefined ? "" : ` up to ${rule.max}`}`;
  const ok =
    text !== "" &&
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || (rule.minExclusive ? n > rule.min : n >= rule.min)) &&
    (rule.max === undefined || n <= rule.max);
  if (!ok) throw new UsageError(`--${name} takes ${kind}${bound}, not '${text}'`);
  return n;
}

/** Levenshtein distance (insert, delete, substitute), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest candidate within yargs' own threshold (3 edits), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** What yargs knows of the command being parsed, for suggestions. */
export interface ParseContext {
  /** Option names as declared (kebab-case), with aliases. */
  options: readonly string[];
  choices: Readonly<Record<string, readonly string[]>>;
  /** The argv tokens as typed. */
  tokens: readonly string[];
  /** The CLI's commands as declared: `query <sql>`. */
  commands: readonly string[];
  /** yargs' recommendation for an unknown command (`.recommendCommands()`: "Did you mean build?"). */
  recommended?: string;
}

/**
 * dbt options sluice does not have, with what to do instead: a dbt user types them by habit, and
 * the closest sluice option (`--defer` → `--debug`) would be the wrong suggestion.
 */
const dbtOnlyOptions: Readonly<Record<string, string>> = {
  "profiles-dir": "dbt's profiles are sluice.yml's targets: use --project-dir and --target",
  profile: "dbt's profiles are sluice.yml's targets: use --target",
};

/**
 * dbt commands sluice does not have under that name, with what to do instead: `did you mean
 * seed?` for `dbt parse` would mislead.
 */
const dbtOnlyCommands: Readonly<Record<string, string>> = {
  parse: "sluice compile parses the project and writes target/manifest.json, as dbt parse does",
  "run-operation":
    "sluice has no run-operation: call the macro from a model's pre_hook or post_hook, or run its SQL with sluice query",
  clean: "remove target/ (and dbt_packages/): the next command rebuilds what it needs",
  init: "copy the models/ project of this repository, or point --project-dir at a dbt project",
};

const quoteList = (values: readonly unknown[]): string => values.map((v) => String(v)).join(", ");

/**
 * yargs' messages (several lines, camelCase keys) → one line naming the problem, with a
 * suggestion where one exists: `unknown option --selct (did you mean --select?)`.
 */
export function usageLine(message: string, context: ParseContext): string {
  const unknown = /^Unknown arguments?: (.+)$/s.exec(message);
  if (unknown) {
    const words = unknown[1]!.split(", ");
    const typed = words.map((w) => typedForm(w, context.tokens));
    // `sluice bogus --limit 3`: the command is what is wrong, not the options it would take.
    const word = typed.find((t) => !t.startsWith("-"));
    if (word !== undefined && commandOf(context) === undefined) {
      const instead = dbtOnlyCommands[word];
      if (instead !== undefined) return `unknown command '${word}': ${instead}`;
      return `unknown command '${word}'${context.recommended ? `; did you mean ${context.recommended}?` : ""}`;
    }
    const first = typed.find((t) => t.startsWith("-")) ?? typed[0]!;
    if (first.startsWith("-")) {
      const bare = first.replace(/^-+/, "").replace(/=.*$/, "");
      const match = closest(
        bare,
        context.options.filter((o) => o.length > 1),
      );
      const rest = typed.filter((t) => t !== first && t.startsWith("-"));
      const more = rest.length > 0 ? ` (and ${quoteList(rest)})` : "";
      const command = commandOf(context)?.split(" ")[0];
      const help = `sluice ${command ? `${command} ` : ""}--help lists the options`;
      const suggestion = dbtOnlyOptions[bare] ?? (match ? `did you mean --${match}?` : help);
      return `unknown option ${first}${more}; ${suggestion}`;
    }
    return `unexpected argument '${first}'`;
  }
  const choices = /^Invalid values:\s*Argument: ([^,]+), Given: (.+?), Choices: (.+)$/s.exec(
    message,
  );
  if (choices) {
    const [, key, given] = choices as unknown as [string, string, string];
    const value = given.replace(/^"|"$/g, "");
    const allowed = context.choices[key] ?? [];
    const match = closest(value, allowed);
    return `invalid value '${value}' for --${key} (choose from ${quoteList(allowed)})${match ? `; did you mean '${match}'?` : ""}`;
  }
  const notEnough = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(
    message,
  );
  if (notEnough) {
    const command = commandOf(context);
    return command === undefined
      ? "name a command (sluice --help lists them)"
      : `missing argument: sluice ${command}`;
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing)
    return `missing ${missing[1]!
      .split(", ")
      .map((k) => `--${k}`)
      .join(", ")}`;
  return message.split("\n")[0]!;
}

/** The declared form (`query <sql>`) of the command among the tokens, if any. */
function commandOf(context: ParseContext): string | undefined {
  return context.commands.find((c) => context.tokens.includes(c.split(" ")[0]!));
}

/** `selct` → `--selct` as typed (yargs strips dashes and reports both `a-b` and `aB`). */
function typedForm(word: string, tokens: readonly string[]): string {
  for (const t of tokens) {
    if (t === "--") break;
    const name = t.replace(/^-+/, "").replace(/=.*$/, "");
    // yargs reads `--no-x` as x = false, and reports `x`.
    const forms = [name, name.replace(/^no-/, "")].flatMap((n) => [
      n,
      n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    ]);
    if (t.startsWith("-") && forms.includes(word)) return `--${name}`.replace(/^--(.)$/, "-$1");
  }
  return word;
}
