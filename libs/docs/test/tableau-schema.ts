import { XMLParser } from "fast-xml-parser";

/**
 * The shape Tableau's published workbook schema (tableau/tableau-document-schemas,
 * `schemas/2018_1/twb_2018.1.0.xsd`, the schema of the `version='18.1'` we write) gives the
 * elements sluice writes in a `.twb` and a `.tds`: each element's children in schema order
 * (slots: a child may repeat within its slot, slots only go forward), the children and
 * attributes the schema requires, and the enumerated attribute values it allows. Transcribed by
 * hand for these elements only (the schema file is not vendored). Like the schema, it does not
 * look inside `<connection>` (`processContents="skip"`): the Athena connector's attributes are
 * checked by the tests themselves.
 */
interface Rule {
  /** Ordered slots of allowed child names; "any": not checked (the schema skips it). */
  children?: string[][] | "any";
  requiredChildren?: string[];
  required?: string[];
  enums?: Record<string, readonly string[]>;
  ints?: string[];
}

const AGG = ["None", "Sum", "Avg", "Min", "Max", "Count", "CountD", "Median", "Attribute"];
const FIELD_TYPE = ["nominal", "ordinal", "quantitative", "unknown"];
/** The marks card's encodings (a label is a `text` encoding). */
const ENCODINGS = [
  ...["color", "size", "text", "shape", "wedge-size", "lod", "geometry", "image", "tooltip"],
  ...["path", "level", "edge", "custom"],
];
const DATATYPE = ["unknown", "integer", "real", "string", "datetime", "date", "boolean"];

/**
 * Rules by element name; by the parent's rule key and the name (`table>view`) where a name means
 * two things; by `name[class]` where the class decides.
 */
const RULES: Record<string, Rule> = {
  workbook: {
    required: ["version", "source-build"],
    children: [
      ["document-format-change-manifest"],
      ["repository-location"],
      ["preferences"],
      ["style-theme"],
      ["style"],
      ["local-data"],
      ["datasources"],
      ["datasource-relationships"],
      ["mapsources"],
      ["shared-views"],
      ["actions"],
      ["worksheets"],
      ["dashboards"],
      ["windows"],
      ["thumbnails"],
      ["external"],
    ],
  },
  "document-format-change-manifest": { children: "any" },
  preferences: { children: [["preference"], ["color-palette"]] },
  "workbook>datasources": { children: [["datasource"]] },
  // A data source written out: the `.tds` root or one embedded in the workbook.
  datasource: {
    required: ["version", "inline"],
    enums: { inline: ["true"] },
    children: [
      ["document-format-change-manifest"],
      ["repository-location"],
      ["connection"],
      ["utility-dimensions"],
      ["dimension"],
      ["overridable-settings"],
      ["aliases"],
      ["column"],
      ["column-instance"],
      ["group"],
      ["mapped-images"],
      ["drill-paths", "unlinked-server-hierarchies"],
      ["folder"],
      ["actions"],
      ["calculated-members"],
      ["extract"],
      ["layout"],
      ["style"],
      ["semantic-values"],
      ["date-options"],
      ["default-date-format"],
      ["default-sorts"],
      ["field-sort-info"],
      ["datasource-dependencies"],
      ["explainability"],
      ["filter"],
      ["analytic-model"],
    ],
  },
  connection: { children: "any" },
  column: {
    required: ["name", "role", "type", "datatype"],
    enums: { role: ["dimension", "measure", "unknown"], type: FIELD_TYPE, datatype: DATATYPE },
    children: [
      ["server-captions"],
      ["calculation"],
      ["utility-members"],
      ["aliases"],
      ["statistical-model"],
      ["semantic-values"],
      ["desc"],
      ["members", "range"],
    ],
  },
  "column-instance": {
    required: ["name", "column", "type", "pivot", "derivation"],
    enums: { type: FIELD_TYPE, pivot: ["key", "alias"], derivation: AGG },
    children: [["table-calc"], ["utility-members"], ["aliases"]],
  },
  worksheets: { children: [["worksheet"]], requiredChildren: ["worksheet"] },
  worksheet: {
    required: ["name"],
    children: [["layout-options", "repository-location"], ["table"]],
    requiredChildren: ["table"],
  },
  table: {
    children: [
      ["view"],
      ["style"],
      ["panes"],
      ["mark-layout"],
      ["rows"],
      ["cols"],
      ["table-calc-densification"],
      ["pages"],
    ],
    requiredChildren: ["view", "style", "panes", "rows", "cols"],
  },
  "table>view": {
    children: [
      ["datasources"],
      ["mapsources"],
      ["datasource-dependencies"],
      ["filter", "computed-sort", "manual-sort", "natural-sort", "alphabetic-sort"],
      ["perspectives"],
      ["shelf-sorts"],
      ["slices"],
      ["aggregation"],
    ],
    requiredChildren: ["aggregation"],
  },
  // A data source a view or dashboard names (a link: name and caption only).
  "table>view>datasources": { children: [["datasource"]] },
  "table>view>datasources>datasource": { required: ["name"], children: [] },
  mapsources: { children: [["mapsource"]], requiredChildren: ["mapsource"] },
  mapsource: { children: "any" },
  "datasource-dependencies": { children: [["column", "column-instance", "style"]] },
  "computed-sort": {
    required: ["column", "direction", "using"],
    enums: { direction: ["ASC", "DESC"] },
    children: [],
  },
  aggregation: { enums: { value: ["true", "false"] }, children: [] },
  style: { children: [["style-rule"]] },
  "style-rule": { required: ["element"], children: [["format", "encoding"]] },
  format: { required: ["attr", "value"], children: [] },
  panes: { children: [["pane"]] },
  pane: {
    children: [
      ["view"],
      ["mark"],
      ["mark-sizing"],
      ["encodings"],
      ["label-data"],
      ["dropline"],
      ["trendline"],
      ["reference-line"],
      ["customized-tooltip"],
      ["customized-label"],
      ["style"],
    ],
    requiredChildren: ["view", "mark"],
  },
  "pane>view": { children: [["breakdown"]], requiredChildren: ["breakdown"] },
  breakdown: { required: ["value"], enums: { value: ["off", "on", "auto"] }, children: [] },
  mark: {
    required: ["class"],
    enums: {
      class: [
        ...["Automatic", "Text", "Icon", "Shape", "Rectangle", "Bar", "GanttBar", "Square"],
        ...["Circle", "PolyLine", "Line", "Polygon", "Area", "Pie", "Multipolygon"],
      ],
    },
    children: [],
  },
  encodings: { children: [ENCODINGS] },
  rows: { children: [] },
  cols: { children: [] },
  dashboards: { children: [["dashboard"]], requiredChildren: ["dashboard"] },
  dashboard: {
    required: ["name"],
    children: [
      ["layout-options", "repository-location"],
      ["style"],
      ["size"],
      ["datasources"],
      ["datasource-dependencies"],
      ["zones"],
      ["devicelayouts"],
    ],
    requiredChildren: ["zones"],
  },
  size: { ints: ["minwidth", "minheight", "maxwidth", "maxheight"], children: [] },
  zones: { children: [["zone"]] },
  zone: {
    required: ["x", "y", "w", "h", "id"],
    ints: ["x", "y", "w", "h", "id"],
    enums: {
      type: [
        ...["invalid", "visual", "color", "shape", "size", "map", "highlighter", "filter"],
        ...["currpage", "empty", "title", "text", "bitmap", "web", "add-in", "dashboard-object"],
        ...["paramctrl", "flipboard", "flipboard-nav", "layout-basic", "layout-flow"],
      ],
    },
    children: [["formatted-text"], ["layout-cache"], ["zone"], ["flipboard"], ["zone-style"]],
  },
  windows: { children: [["window"]], requiredChildren: ["window"] },
  // A window is a worksheet's (cards, then a viewpoint) or a dashboard's (viewpoints, active).
  "window[worksheet]": {
    required: ["name"],
    children: [["cards"], ["viewpoint"]],
    requiredChildren: ["cards"],
  },
  "window[dashboard]": {
    required: ["name"],
    children: [["viewpoints"], ["active"], ["device-preview"]],
    requiredChildren: ["viewpoints", "active"],
  },
  cards: { children: [["edge"]] },
  edge: { required: ["name"], enums: { name: ["left", "right", "top", "bottom"] } },
  "edge>strip": { required: ["size"], ints: ["size"], children: [["card"]] },
  card: { children: [] },
  viewpoints: { children: [["viewpoint"]] },
  viewpoint: { children: "any" },
  active: { ints: ["id"], children: [] },
};
RULES.edge!.children = [["strip"]];
for (const e of ENCODINGS) RULES[`encodings>${e}`] = { children: [] };

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

/** The element's name in a fast-xml-parser `preserveOrder` entry (not text, not `?xml`). */
const nameOf = (e: Ordered) => Object.keys(e).find((k) => k !== ":@" && k !== "#text");

/**
 * Where `xml` departs from the shape above: one message per departure, with the element's path.
 *
 * @example schemaViolations(twbXml(input).xml) // [] when every element fits
 */
export function schemaViolations(xml: string): string[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    preserveOrder: true,
    ignoreDeclaration: true,
  });
  const out: string[] = [];
  const walk = (entry: Ordered, parent: string, at: string) => {
    const name = nameOf(entry);
    if (!name || name.startsWith("?")) return;
    const attrs = entry[":@"] ?? {};
    const here = `${at}/${name}${attrs.name ? `[${attrs.name}]` : ""}`;
    const key = [`${name}[${attrs.class}]`, `${parent}>${name}`, name].find((k) => RULES[k]);
    if (!key) return void out.push(`${here}: no element '${name}' in ${parent}`);
    const rule = RULES[key]!;
    for (const a of rule.required ?? [])
      if (attrs[a] === undefined) out.push(`${here}: attribute '${a}' is required`);
    for (const [a, allowed] of Object.entries(rule.enums ?? {}))
      if (attrs[a] !== undefined && !allowed.includes(attrs[a]!))
        out.push(`${here}: ${a}='${attrs[a]}' is not one of ${allowed.join(", ")}`);
    for (const a of rule.ints ?? [])
      if (attrs[a] !== undefined && !/^-?\d+$/.test(attrs[a]!))
        out.push(`${here}: ${a}='${attrs[a]}' is not an integer`);
    if (rule.children === "any") return;
    const kids = ((entry[name] as Ordered[]) ?? []).filter((k) => nameOf(k));
    const slots = rule.children ?? [];
    let slot = 0;
    for (const k of kids) {
      const kid = nameOf(k)!;
      const s = slots.findIndex((names) => names.includes(kid));
      if (s < 0) {
        out.push(`${here}: '${kid}' is not a child the schema allows here`);
        continue;
      }
      if (s < slot) out.push(`${here}: '${kid}' comes after an element it must precede`);
      else slot = s;
      walk(k, key, here);
    }
    for (const r of rule.requiredChildren ?? [])
      if (!kids.some((k) => nameOf(k) === r)) out.push(`${here}: a '${r}' child is required`);
  };
  for (const top of parser.parse(xml) as Ordered[]) walk(top, "", "");
  return out;
}
