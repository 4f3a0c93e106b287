/** Longest database, table or column name Glue accepts. */
export const GLUE_NAME_MAX = 255;

const VALID = /^[a-z0-9_]+$/;

/**
 * Why `name` cannot be a Glue database, table or column name (and so a lake folder), or
 * `undefined` when it can: lowercase letters, digits and underscores, 1 to 255 characters.
 * Path separators and `..` are named first, since they would point outside the lake.
 *
 * @example
 * glueNameProblem("events"); // undefined
 * glueNameProblem("../x"); // "contains '..' and a path separator"
 */
export function glueNameProblem(name: string): string | undefined {
  // A valid name (nearly all: every model's schema and name is checked) without the arrays below.
  if (name.length <= GLUE_NAME_MAX && VALID.test(name)) return undefined;
  if (name === "") return "is empty";
  const path = [name.includes("..") ? "'..'" : "", /[/\\]/.test(name) ? "a path separator" : ""];
  if (path.some(Boolean)) return `contains ${path.filter(Boolean).join(" and ")}`;
  if (name.length > GLUE_NAME_MAX)
    return `is ${name.length} characters long (at most ${GLUE_NAME_MAX})`;
  if (/^[a-zA-Z0-9_]+$/.test(name)) return "has uppercase letters (Glue names are lowercase)";
  return "has characters Glue does not accept (only lowercase letters, digits and underscores)";
}

/**
 * The closest valid Glue name: lowercased, each run of other characters as one underscore.
 *
 * @example glueNameSuggestion("../Daily Sales") // "daily_sales"
 */
export function glueNameSuggestion(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return (s || "unnamed").slice(0, GLUE_NAME_MAX);
}
