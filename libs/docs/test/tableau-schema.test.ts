import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { tdsXml, twbXml } from "../src/index.js";
import { marts, sheets } from "./marts.js";
import { schemaViolations } from "./tableau-schema.js";

type El = Record<string, unknown>;
const list = (v: unknown): El[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]) as El[];
const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as El;

const { xml } = twbXml({ dashboard: "Sales & 'more'", datasources: marts, sheets });

describe("Tableau files against the shape of Tableau's published schema (twb 2018.1)", () => {
  it("the workbook: every element where the schema puts it, with what it requires", () => {
    expect(schemaViolations(xml)).toEqual([]);
  });

  it("each mart's .tds: a data source as the schema's data source type has it", () => {
    for (const m of marts) expect(schemaViolations(tdsXml(m)), m.name).toEqual([]);
  });

  it("the shape check fails on what the schema rejects (so the two above can fail)", () => {
    const workbook = (inner: string, attrs = "version='18.1' source-build='0.0.0 (0.0.0.0)'") =>
      `<?xml version='1.0' encoding='utf-8' ?><workbook ${attrs}>${inner}</workbook>`;
    const sheet = (view: string, pane = "") =>
      workbook(
        `<worksheets><worksheet name='S'><table><view>${view}<aggregation value='true' /></view>` +
          `<style /><panes><pane><view><breakdown value='auto' /></view><mark class='Bar' />${pane}` +
          `</pane></panes><rows /><cols /></table></worksheet></worksheets>`,
      );
    expect(schemaViolations(sheet(""))).toEqual([]);
    expect(schemaViolations(workbook("", "version='18.1'"))).toEqual([
      "/workbook: attribute 'source-build' is required",
    ]);
    // Before: a sort written as Tableau 8 did, and a label channel the schema does not have.
    expect(
      schemaViolations(
        sheet("<sort class='computed' column='[a]' direction='DESC' using='[b]' />"),
      ),
    ).toEqual([
      "/workbook/worksheets/worksheet[S]/table/view: 'sort' is not a child the schema allows here",
    ]);
    expect(schemaViolations(sheet("", "<encodings><label column='[x]' /></encodings>"))).toEqual([
      "/workbook/worksheets/worksheet[S]/table/panes/pane/encodings: 'label' is not a child the schema allows here",
    ]);
    // A worksheet's window needs its cards; a dashboard's its viewpoints and active sheet.
    expect(
      schemaViolations(
        workbook(
          "<windows><window class='worksheet' name='S' /><window class='dashboard' name='D' /></windows>",
        ),
      ),
    ).toEqual([
      "/workbook/windows/window[S]: a 'cards' child is required",
      "/workbook/windows/window[D]: a 'viewpoints' child is required",
      "/workbook/windows/window[D]: a 'active' child is required",
    ]);
    expect(
      schemaViolations(
        workbook(
          "<datasources><datasource name='d' version='18.1'><column name='[c]' role='measure' type='quantitative' datatype='decimal' /><connection class='x' /></datasource></datasources>",
        ),
      ),
    ).toEqual([
      "/workbook/datasources/datasource[d]: attribute 'inline' is required",
      "/workbook/datasources/datasource[d]/column[[c]]: datatype='decimal' is not one of unknown, integer, real, string, datetime, date, boolean",
      "/workbook/datasources/datasource[d]: 'connection' comes after an element it must precede",
    ]);
  });

  it("the Athena connection has the connector's fields: server, port, database, staging dir, workgroup", () => {
    for (const m of marts) {
      const source = parse(tdsXml(m)).datasource as El;
      const federated = source.connection as El;
      expect(federated.class).toBe("federated");
      const named = (federated["named-connections"] as El)["named-connection"] as El;
      expect(named.connection).toEqual({
        class: "athena",
        server: "athena.eu-west-1.amazonaws.com",
        port: "443",
        dbname: "ecommerce_marts",
        schema: "ecommerce_marts",
        "s3-staging-directory": "s3://results/q/",
        workgroup: "sluice",
        authentication: "username-password",
        username: "",
      });
      expect(federated.relation).toEqual({
        connection: named.name,
        name: m.name,
        table: `[ecommerce_marts].[${m.name}]`,
        type: "table",
      });
      // One column per mart column, by its exact name, with a datatype and a role.
      expect(list(source.column).map((c) => c.name)).toEqual(m.columns.map((c) => `[${c.name}]`));
      for (const c of list(source.column)) {
        expect(["integer", "real", "string", "date", "datetime", "boolean"]).toContain(c.datatype);
        expect(["dimension", "measure"]).toContain(c.role);
      }
    }
  });

  it("every field a worksheet shows is a column of its data source, by its exact name", () => {
    const workbook = parse(xml).workbook as El;
    const sources = new Map(
      list((workbook.datasources as El).datasource).map((d) => [
        String(d.name),
        new Set(list(d.column).map((c) => String(c.name))),
      ]),
    );
    let checked = 0;
    for (const w of list((workbook.worksheets as El).worksheet)) {
      const table = w.table as El;
      const view = table.view as El;
      const deps = view["datasource-dependencies"] as El;
      const ds = String(deps.datasource);
      const columns = sources.get(ds)!;
      expect(columns, `${String(w.name)}: data source ${ds}`).toBeDefined();
      const instances = new Map(list(deps["column-instance"]).map((i) => [i.name, i.column]));
      const pane = (table.panes as El).pane as El;
      const sort = view["computed-sort"] as El | undefined;
      const refs = [
        ...String(table.rows ?? "").split(" / "),
        ...String(table.cols ?? "").split(" / "),
        ...Object.values((pane.encodings as El) ?? {}).flatMap((e) =>
          list(e).map((x) => String(x.column)),
        ),
        ...(sort ? [String(sort.column), String(sort.using)] : []),
      ].filter(Boolean);
      for (const ref of refs) {
        const [, source, field] = /^\[([^\]]+)\]\.(\[.+\])$/.exec(ref) ?? [];
        expect(source, `${String(w.name)}: ${ref}`).toBe(ds);
        if (/^\[(Latitude|Longitude|Geometry) \(generated\)\]$/.test(field!)) continue;
        const column = String(instances.get(field!));
        expect(columns.has(column), `${String(w.name)}: ${ref} reads ${column}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it("labels are text on the marks card with mark labels shown; a computed sort is declared", () => {
    const workbook = parse(xml).workbook as El;
    const funnel = list((workbook.worksheets as El).worksheet).find(
      (w) => w.name === "View ecommerce_funnel",
    )!;
    const pane = ((funnel.table as El).panes as El).pane as El;
    expect(pane.encodings).toEqual({ text: { column: "[federated.funnel].[sum:sessions:qk]" } });
    expect(pane.style).toEqual({
      "style-rule": { element: "mark", format: { attr: "mark-labels-show", value: "true" } },
    });
    expect(Object.keys(workbook["document-format-change-manifest"] as El)).toEqual([
      "SortTagCleanup",
    ]);
  });
});
