/** What a `.tds` for one table needs: the Athena connection and the table's typed columns. */
export interface TdsInput {
  /** Data source name (the mart), also the relation name. */
  name: string;
  caption?: string;
  region: string;
  workgroup: string;
  s3StagingDir: string;
  database: string;
  table: string;
  columns: { name: string; type: string; description?: string }[];
}

/** Tableau's datatype for an Athena/DuckDB type name (`DECIMAL(38,2)`, `bigint`, `varchar`...). */
export function tableauDatatype(
  type: string,
): "integer" | "real" | "string" | "date" | "datetime" | "boolean" {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|integer|int|bigint|hugeint|ubigint|uinteger)\b/.test(t)) return "integer";
  if (/^(double|real|float|decimal|numeric)\b/.test(t)) return "real";
  if (/^date\b/.test(t)) return "date";
  if (/^timestamp\b/.test(t)) return "datetime";
  if (/^bool/.test(t)) return "boolean";
  return "string";
}

/** Country/Region geographic roles by column name: ISO codes and English names. */
export function semanticRole(column: string): string | undefined {
  if (/(^|_)iso2$/.test(column)) return "[Country].[ISO3166_2]";
  if (/(^|_)iso3$/.test(column)) return "[Country].[ISO3166_3]";
  if (column === "country") return "[Country].[Name]";
  return undefined;
}

/** Numbers are measures, except keys and positions (`*_id`, `stage_order`, `hour_of_day`). */
export function columnRole(column: string, datatype: string): { role: string; type: string } {
  const key = /(_id|_order|_number|^hour_of_day)$/.test(column);
  if ((datatype === "integer" || datatype === "real") && !key)
    return { role: "measure", type: "quantitative" };
  return {
    role: "dimension",
    type: datatype === "date" || datatype === "datetime" || key ? "ordinal" : "nominal",
  };
}

/** XML attribute text. */
export const xmlAttr = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\n/g, "&#10;");

/** `Order Value` for `order_value`: Tableau's default caption style. */
const title = (column: string) =>
  column
    .split("_")
    .map((w) => (w === "" ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join(" ");

/** The `<column>` element of a data source column: caption, datatype, role, geographic role. */
export function columnXml(c: TdsInput["columns"][number]): string {
  const a = xmlAttr;
  const datatype = tableauDatatype(c.type);
  const r = columnRole(c.name, datatype);
  const geo = semanticRole(c.name);
  const caption = c.description ? `${title(c.name)}: ${c.description}` : title(c.name);
  return (
    `<column caption='${a(caption)}' datatype='${datatype}' name='[${a(c.name)}]' ` +
    `role='${r.role}' type='${r.type}'${geo ? ` semantic-role='${geo}'` : ""} />`
  );
}

/**
 * A Tableau data source (`.tds`, the "federated" format of Tableau 10+) for one Athena table
 * through Tableau's Amazon Athena connector: server `athena.<region>.amazonaws.com`, port 443,
 * the S3 staging directory, workgroup and database; one `<column>` per column with its caption
 * (the column description), datatype, dimension/measure role and the Country/Region geographic
 * role on ISO code columns.
 *
 * @example tdsXml({ name: "funnel", region: "eu-west-1", workgroup: "sluice", ... })
 */
export function tdsXml(input: TdsInput): string {
  const attributes = `formatted-name='${xmlAttr(input.name)}' inline='true' source-platform='linux' version='18.1' xmlns:user='http://www.tableausoftware.com/xml/user'`;
  return [
    "<?xml version='1.0' encoding='utf-8' ?>",
    ...datasourceLines(input, attributes),
    "",
  ].join("\n");
}

/**
 * The `<datasource>` element's lines (a `.tds` file's root, or one data source embedded in a
 * `.twb`), with `attributes` after its caption.
 */
export function datasourceLines(input: TdsInput, attributes: string): string[] {
  const server = `athena.${input.region}.amazonaws.com`;
  const connectionName = `athena.${input.name}`;
  const a = xmlAttr;
  return [
    `<datasource caption='${a(input.caption ?? input.name)}' ${attributes}>`,
    "  <connection class='federated'>",
    "    <named-connections>",
    `      <named-connection caption='${a(server)}' name='${a(connectionName)}'>`,
    `        <connection class='athena' server='${a(server)}' port='443' dbname='${a(input.database)}' schema='${a(input.database)}' s3-staging-directory='${a(input.s3StagingDir)}' workgroup='${a(input.workgroup)}' authentication='username-password' username='' />`,
    "      </named-connection>",
    "    </named-connections>",
    `    <relation connection='${a(connectionName)}' name='${a(input.table)}' table='[${a(input.database)}].[${a(input.table)}]' type='table' />`,
    "  </connection>",
    ...input.columns.map((c) => `  ${columnXml(c)}`),
    "</datasource>",
  ];
}

/**
 * `athena.properties` for the Athena JDBC driver (My Tableau Repository/Datasources): the
 * workgroup is set there, as Tableau's Athena connector documents.
 */
export function athenaProperties(workgroup: string): string {
  return `Workgroup=${workgroup}\n`;
}
