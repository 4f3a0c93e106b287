import { error } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { closestHint } from "./suggest.js";
import type { ProjectFile } from "./types.js";
import { parseCsvRows } from "./unit-tests.js";
import type { UnitTestRows, UnitTestSpec } from "./unit-tests.js";

/** The folder under each test path that holds unit-test fixture files (dbt's `tests/fixtures`). */
export const FIXTURES_FOLDER = "fixtures";

/**
 * Unit tests with their `fixture:` rows read from `files` (the `.csv` and `.sql` files under
 * `<test-path>/fixtures/`, by name without extension). A missing or unparsable fixture is a
 * PROPERTIES_INVALID error at the `fixture:` value, and its test is dropped.
 */
export function resolveFixtures(
  tests: readonly UnitTestSpec[],
  files: readonly ProjectFile[],
  diagnostics: Diagnostic[],
): UnitTestSpec[] {
  const byName = new Map<string, ProjectFile>();
  for (const f of files) {
    const name = f.path.slice(f.path.lastIndexOf("/") + 1).toLowerCase();
    byName.set(name, f);
  }
  const resolve = (rows: UnitTestRows): UnitTestRows | undefined => {
    if (rows.fixture === undefined) return rows;
    const ext = rows.format === "sql" ? "sql" : "csv";
    const file = byName.get(`${rows.fixture.toLowerCase()}.${ext}`);
    if (!file) {
      const known = [...byName.keys()].filter((n) => n.endsWith(`.${ext}`));
      diagnostics.push(
        error(
          "PROPERTIES_INVALID",
          `fixture '${rows.fixture}': no file ${FIXTURES_FOLDER}/${rows.fixture}.${ext} under the test paths`,
          rows.at,
          closestHint(`${rows.fixture}.${ext}`, known) ??
            `create tests/${FIXTURES_FOLDER}/${rows.fixture}.${ext}`,
        ),
      );
      return undefined;
    }
    if (rows.format === "sql") return { ...rows, sql: file.text };
    const csv = parseCsvRows(file.text);
    if ("message" in csv) {
      diagnostics.push(
        error(
          "PROPERTIES_INVALID",
          `fixture ${file.path}: the CSV does not parse: ${csv.message}`,
          { file: file.path, line: 1, column: 1 },
          csv.hint,
        ),
      );
      return undefined;
    }
    return { ...rows, ...csv };
  };
  const out: UnitTestSpec[] = [];
  for (const t of tests) {
    const expect = resolve(t.expect);
    const given = t.given.map((g) => {
      const rows = resolve(g.rows);
      return rows && { ...g, rows };
    });
    if (expect && given.every((g) => g !== undefined)) out.push({ ...t, expect, given });
  }
  return out;
}
