import { columnRole, columnXml, datasourceLines, tableauDatatype, xmlAttr } from "./tableau-tds.js";
import type { TdsInput } from "./tableau-tds.js";

/** A field Tableau generates for a geographic role (no column of the data source). */
export type GeneratedField =
  "Latitude (generated)" | "Longitude (generated)" | "Geometry (generated)";

/**
 * A field on a shelf or the marks card: a column with Tableau's derivation (`None` keeps the
 * value: discrete, or continuous with `continuous`; `Sum`/`Avg`/`Min` aggregate), or a field
 * Tableau generates for the geographic role.
 */
export type SheetField =
  | { column: string; derivation: "None" | "Sum" | "Avg" | "Min"; continuous?: boolean }
  | { generated: GeneratedField };

/** One worksheet: the data source it reads (a mart), its mark, shelves and encodings. */
export interface SheetSpec {
  /** The worksheet's name (the exposure's label). */
  name: string;
  /** The mart it reads: a `TdsInput` name. */
  datasource: string;
  /** Tableau mark class. `Multipolygon` is a filled map. */
  mark: "Multipolygon" | "Line" | "Bar" | "Text";
  /** Fields on the Rows shelf (nested in order) and the Columns shelf. */
  rows: SheetField[];
  cols: SheetField[];
  encodings: { channel: "color" | "text" | "label" | "lod" | "geometry"; field: SheetField }[];
  /** Sort a discrete field by an aggregated one. */
  sort?: { field: SheetField; by: SheetField; direction: "ASC" | "DESC" };
}

/** What a `.twb` needs: its data sources (as in the `.tds` files) and worksheets. */
export interface TwbInput {
  /** The dashboard's name (the exposure's label). */
  dashboard: string;
  datasources: TdsInput[];
  sheets: SheetSpec[];
}

const dsName = (mart: string) => `federated.${mart}`;

/** A column instance's name: `[sum:revenue:qk]`, `[none:country_iso2:nk]`. */
function instanceOf(
  field: Extract<SheetField, { column: string }>,
  ds: TdsInput,
): { name: string; type: string; column: TdsInput["columns"][number] } | undefined {
  const column = ds.columns.find((c) => c.name === field.column);
  if (!column) return undefined;
  const type =
    field.derivation !== "None" || field.continuous
      ? "quantitative"
      : columnRole(column.name, tableauDatatype(column.type)).type === "ordinal"
        ? "ordinal"
        : "nominal";
  const suffix = { quantitative: "qk", ordinal: "ok", nominal: "nk" }[type];
  return { name: `[${field.derivation.toLowerCase()}:${field.column}:${suffix}]`, type, column };
}

const fieldsOf = (s: SheetSpec): SheetField[] => [
  ...s.rows,
  ...s.cols,
  ...s.encodings.map((e) => e.field),
  ...(s.sort ? [s.sort.field, s.sort.by] : []),
];

/** A worksheet's `<worksheet>` lines, or why it cannot be written (a column the mart lacks). */
function worksheet(s: SheetSpec, ds: TdsInput | undefined): string[] | string {
  if (!ds) return `no data source ${s.datasource}`;
  const a = xmlAttr;
  const ref = (f: SheetField) =>
    `[${a(dsName(ds.name))}].${"generated" in f ? `[${f.generated}]` : instanceOf(f, ds)!.name}`;
  const columns = new Map<string, TdsInput["columns"][number]>();
  const instances = new Map<string, string>();
  for (const f of fieldsOf(s)) {
    if ("generated" in f) continue;
    const i = instanceOf(f, ds);
    if (!i) return `${ds.name} has no column ${f.column}`;
    columns.set(i.column.name, i.column);
    instances.set(
      i.name,
      `<column-instance column='[${a(f.column)}]' derivation='${f.derivation}' name='${a(i.name)}' pivot='key' type='${i.type}' />`,
    );
  }
  const map = s.mark === "Multipolygon";
  const shelf = (fields: SheetField[]) => fields.map(ref).join(" / ");
  return [
    `<worksheet name='${a(s.name)}'>`,
    "  <table>",
    "    <view>",
    "      <datasources>",
    `        <datasource caption='${a(ds.caption ?? ds.name)}' name='${a(dsName(ds.name))}' />`,
    "      </datasources>",
    ...(map
      ? ["      <mapsources>", "        <mapsource name='Tableau' />", "      </mapsources>"]
      : []),
    `      <datasource-dependencies datasource='${a(dsName(ds.name))}'>`,
    ...[...columns.values()].map((c) => `        ${columnXml(c)}`),
    ...[...instances.values()].map((x) => `        ${x}`),
    "      </datasource-dependencies>",
    ...(s.sort
      ? [
          `      <computed-sort column='${a(ref(s.sort.field))}' direction='${s.sort.direction}' using='${a(ref(s.sort.by))}' />`,
        ]
      : []),
    "      <aggregation value='true' />",
    "    </view>",
    "    <style />",
    "    <panes>",
    "      <pane>",
    "        <view>",
    "          <breakdown value='auto' />",
    "        </view>",
    `        <mark class='${s.mark}' />`,
    "        <encodings>",
    // Tableau's Label shelf is the `text` encoding, shown as labels by the mark style.
    ...s.encodings.map(
      (e) =>
        `          <${e.channel === "label" ? "text" : e.channel} column='${a(ref(e.field))}' />`,
    ),
    "        </encodings>",
    ...(s.encodings.some((e) => e.channel === "label")
      ? [
          "        <style>",
          "          <style-rule element='mark'>",
          "            <format attr='mark-labels-show' value='true' />",
          "          </style-rule>",
          "        </style>",
        ]
      : []),
    "      </pane>",
    "    </panes>",
    `    <rows>${a(shelf(s.rows))}</rows>`,
    `    <cols>${a(shelf(s.cols))}</cols>`,
    "  </table>",
    "</worksheet>",
  ];
}

/**
 * A worksheet window's cards, as Tableau Desktop lays them out by default (the schema requires a
 * worksheet window to have its cards): pages, filters and marks on the left, the shelves on top.
 */
const CARDS = [
  "<cards>",
  "  <edge name='left'>",
  "    <strip size='160'>",
  "      <card type='pages' />",
  "      <card type='filters' />",
  "      <card type='marks' />",
  "    </strip>",
  "  </edge>",
  "  <edge name='top'>",
  "    <strip size='2147483647'>",
  "      <card type='columns' />",
  "    </strip>",
  "    <strip size='2147483647'>",
  "      <card type='rows' />",
  "    </strip>",
  "    <strip size='31'>",
  "      <card type='title' />",
  "    </strip>",
  "  </edge>",
  "</cards>",
];

/** Zones of the dashboard: the sheets in two rows (first row two sheets, the rest below). */
function zones(sheets: string[]): string[] {
  const top = sheets.slice(0, 2);
  const bottom = sheets.slice(2);
  const row = (names: string[], y: number, widths: number[]) => {
    let x = 0;
    return names.map((name, i) => {
      const w = widths[i]!;
      const zone = `<zone h='50000' id='${y === 0 ? i + 2 : top.length + i + 2}' name='${xmlAttr(name)}' w='${w}' x='${x}' y='${y}' />`;
      x += w;
      return zone;
    });
  };
  const even = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => Math.floor((100000 * (i + 1)) / n) - Math.floor((100000 * i) / n),
    );
  return [
    "<zone h='100000' id='1' type='layout-basic' w='100000' x='0' y='0'>",
    ...row(top, 0, top.length === 2 ? [60000, 40000] : even(top.length)).map((z) => `  ${z}`),
    ...row(bottom, 50000, even(bottom.length)).map((z) => `  ${z}`),
    "</zone>",
  ];
}

/**
 * A Tableau workbook (`.twb`) for the seed's dashboard: the marts' data sources embedded as in
 * their `.tds` files (Amazon Athena connector), one worksheet per view and a dashboard with all
 * of them, from Tableau's documented XML structure (workbook → datasources, worksheets with
 * `datasource-dependencies`, panes, marks, encodings and shelves, dashboards with zones,
 * windows). A sheet that names a column its mart lacks is left out and returned in `skipped`.
 *
 * @example twbXml({ dashboard: "Sales", datasources: [tds], sheets: [{ name: "Funnel", datasource: "funnel", mark: "Bar", ... }] })
 */
export function twbXml(input: TwbInput): {
  xml: string;
  skipped: { sheet: string; reason: string }[];
} {
  const byName = new Map(input.datasources.map((d) => [d.name, d]));
  const skipped: { sheet: string; reason: string }[] = [];
  const written: { name: string; lines: string[]; map: boolean }[] = [];
  for (const s of input.sheets) {
    const lines = worksheet(s, byName.get(s.datasource));
    if (typeof lines === "string") skipped.push({ sheet: s.name, reason: lines });
    else written.push({ name: s.name, lines, map: s.mark === "Multipolygon" });
  }
  const used = new Set(
    input.sheets.filter((s) => written.some((w) => w.name === s.name)).map((s) => s.datasource),
  );
  const a = xmlAttr;
  const indent = (n: number, lines: string[]) => lines.map((l) => `${" ".repeat(n)}${l}`);
  const xml = [
    "<?xml version='1.0' encoding='utf-8' ?>",
    // source-build is required by the schema; this is the placeholder Tableau's schema README uses.
    "<workbook original-version='18.1' source-build='0.0.0 (0000.0.0.0)' source-platform='linux' version='18.1' xmlns:user='http://www.tableausoftware.com/xml/user'>",
    ...(input.sheets.some((s) => s.sort && written.some((w) => w.name === s.name))
      ? [
          "  <document-format-change-manifest>",
          "    <SortTagCleanup />",
          "  </document-format-change-manifest>",
        ]
      : []),
    "  <preferences />",
    "  <datasources>",
    ...input.datasources
      .filter((d) => used.has(d.name))
      .flatMap((d) =>
        indent(4, datasourceLines(d, `inline='true' name='${a(dsName(d.name))}' version='18.1'`)),
      ),
    "  </datasources>",
    ...(written.some((w) => w.map)
      ? ["  <mapsources>", "    <mapsource name='Tableau' />", "  </mapsources>"]
      : []),
    "  <worksheets>",
    ...written.flatMap((w) => indent(4, w.lines)),
    "  </worksheets>",
    "  <dashboards>",
    `    <dashboard name='${a(input.dashboard)}'>`,
    "      <style />",
    "      <size maxheight='1000' maxwidth='1400' minheight='1000' minwidth='1400' />",
    "      <zones>",
    ...indent(8, zones(written.map((w) => w.name))),
    "      </zones>",
    "    </dashboard>",
    "  </dashboards>",
    "  <windows source-height='30'>",
    ...written.flatMap((w) => [
      `    <window class='worksheet' name='${a(w.name)}'>`,
      ...indent(6, CARDS),
      "    </window>",
    ]),
    `    <window class='dashboard' maximized='true' name='${a(input.dashboard)}'>`,
    "      <viewpoints>",
    ...written.map((w) => `        <viewpoint name='${a(w.name)}' />`),
    "      </viewpoints>",
    // The active zone: the first sheet's (zone ids start at 2, see zones()).
    `      <active id='${written.length > 0 ? 2 : -1}' />`,
    "    </window>",
    "  </windows>",
    "</workbook>",
    "",
  ].join("\n");
  return { xml, skipped };
}
