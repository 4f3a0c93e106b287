import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { twbXml } from "../src/index.js";
import { marts, sheets } from "./marts.js";

type El = Record<string, unknown>;
const list = (v: unknown): El[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]) as El[];
const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml).workbook as El;

describe("the dashboard's Tableau workbook (.twb)", () => {
  const { xml, skipped } = twbXml({ dashboard: "Sales & 'more'", datasources: marts, sheets });
  const workbook = parse(xml);

  it("is well-formed, with the marts' Athena data sources embedded", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(skipped).toEqual([]);
    const sources = list((workbook.datasources as El).datasource);
    expect(sources.map((d) => d.name)).toEqual(marts.map((m) => `federated.${m.name}`));
    for (const d of sources) {
      const named = ((d.connection as El)["named-connections"] as El)["named-connection"] as El;
      expect(named.connection).toMatchObject({
        class: "athena",
        server: "athena.eu-west-1.amazonaws.com",
        port: "443",
        dbname: "ecommerce_marts",
        workgroup: "sluice",
        "s3-staging-directory": "s3://results/q/",
      });
    }
    expect(sources[0]!.caption).toBe("sales_by_country <mart> & 'co'");
  });

  it("has one worksheet per view; every field it uses is declared in its dependencies", () => {
    const worksheets = list((workbook.worksheets as El).worksheet);
    expect(worksheets.map((w) => w.name)).toEqual(sheets.map((s) => s.name));
    for (const w of worksheets) {
      const view = (w.table as El).view as El;
      const deps = view["datasource-dependencies"] as El;
      const ds = deps.datasource as string;
      expect((view.datasources as El).datasource).toMatchObject({ name: ds });
      const source = list((workbook.datasources as El).datasource).find((d) => d.name === ds)!;
      const declared = new Set(list(deps["column-instance"]).map((c) => `[${ds}].${c.name}`));
      const columns = list(deps.column);
      // Each instance reads a column declared in the dependencies, as in the data source.
      for (const i of list(deps["column-instance"]))
        expect(columns.map((c) => c.name)).toContain(i.column);
      for (const c of columns) expect(list(source.column)).toContainEqual(c);
      const pane = ((w.table as El).panes as El).pane as El;
      const used = [
        ...String((w.table as El).rows ?? "").split(" / "),
        ...String((w.table as El).cols ?? "").split(" / "),
        ...Object.values(pane.encodings as El).flatMap((e) => list(e).map((x) => String(x.column))),
      ].filter(Boolean);
      for (const f of used)
        if (!/\[(Latitude|Longitude|Geometry) \(generated\)\]$/.test(f))
          expect(declared, `${String(w.name)}: ${f}`).toContain(f);
    }
  });

  it("draws the map from the ISO code's geographic role, and each view with its mark", () => {
    const byName = new Map(
      list((workbook.worksheets as El).worksheet).map((w) => [w.name, w.table as El]),
    );
    const map = byName.get("View global_sales_heatmap")!;
    const ds = "[federated.sales_by_country]";
    expect(map.rows).toBe(`${ds}.[Latitude (generated)]`);
    expect(map.cols).toBe(`${ds}.[Longitude (generated)]`);
    const pane = (map.panes as El).pane as El;
    expect(pane.mark).toEqual({ class: "Multipolygon" });
    expect(pane.encodings).toEqual({
      color: { column: `${ds}.[sum:revenue:qk]` },
      lod: { column: `${ds}.[none:country_iso2:nk]` },
      geometry: { column: `${ds}.[Geometry (generated)]` },
    });
    const iso = list(((map.view as El)["datasource-dependencies"] as El).column).find(
      (c) => c.name === "[country_iso2]",
    );
    expect(iso).toMatchObject({ role: "dimension", "semantic-role": "[Country].[ISO3166_2]" });
    const marks = [...byName].map(([n, t]) => [n, ((t.panes as El).pane as El).mark]);
    expect(Object.fromEntries(marks)).toEqual({
      "View global_sales_heatmap": { class: "Multipolygon" },
      "View hourly_sales_trend": { class: "Line" },
      "View customer_lifetime_value_table": { class: "Text" },
      "View ecommerce_funnel": { class: "Bar" },
      "View marketing_channel_performance": { class: "Bar" },
    });
    expect(byName.get("View hourly_sales_trend")!.cols).toBe(
      "[federated.hourly_sales_by_category].[none:order_hour:qk]",
    );
    expect(byName.get("View ecommerce_funnel")!.rows).toBe(
      "[federated.funnel].[none:stage_order:ok] / [federated.funnel].[none:stage:nk]",
    );
    expect((byName.get("View customer_lifetime_value_table")!.view as El)["computed-sort"]).toEqual(
      {
        column: "[federated.customer_lifetime_value].[none:customer_id:ok]",
        direction: "DESC",
        using: "[federated.customer_lifetime_value].[sum:order_value:qk]",
      },
    );
  });

  it("has a dashboard whose zones show every worksheet, and a window for each", () => {
    const dashboard = (workbook.dashboards as El).dashboard as El;
    expect(dashboard.name).toBe("Sales & 'more'");
    const outer = (dashboard.zones as El).zone as El;
    const zones = list(outer.zone);
    expect(zones.map((z) => z.name)).toEqual(sheets.map((s) => s.name));
    expect(new Set(zones.map((z) => z.id)).size).toBe(zones.length);
    for (const z of zones) expect(Number(z.x) + Number(z.w)).toBeLessThanOrEqual(100000);
    const windows = list((workbook.windows as El).window);
    expect(windows.map((w) => `${String(w.class)}:${String(w.name)}`)).toEqual([
      ...sheets.map((s) => `worksheet:${s.name}`),
      "dashboard:Sales & 'more'",
    ]);
  });

  it("leaves out a view whose mart lacks a column, and says so", () => {
    const broken = { ...sheets[0]!, name: "Broken", datasource: "funnel" };
    const r = twbXml({ dashboard: "D", datasources: marts, sheets: [broken, sheets[3]!] });
    expect(r.skipped).toEqual([{ sheet: "Broken", reason: "funnel has no column revenue" }]);
    const w = list((parse(r.xml).worksheets as El).worksheet);
    expect(w.map((x) => x.name)).toEqual([sheets[3]!.name]);
    expect(list((parse(r.xml).datasources as El).datasource).map((d) => d.name)).toEqual([
      "federated.funnel",
    ]);
  });
});
