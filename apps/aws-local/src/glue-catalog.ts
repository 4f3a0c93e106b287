import { AwsError, checkLength, page, rejectUnknownMembers } from "./aws-error.js";

/** A Glue table as stored and answered (wire shape; timestamps in epoch seconds). */
export interface GlueTable {
  Name: string;
  DatabaseName: string;
  TableType?: string;
  Parameters?: Record<string, string>;
  PartitionKeys?: GlueColumn[];
  StorageDescriptor?: StorageDescriptor;
  ViewOriginalText?: string;
  ViewExpandedText?: string;
  VersionId: string;
  CreateTime: number;
  UpdateTime: number;
  [member: string]: unknown;
}
export interface GlueColumn {
  Name: string;
  Type?: string;
  Comment?: string;
}
export interface StorageDescriptor {
  Columns?: GlueColumn[];
  Location?: string;
  InputFormat?: string;
  OutputFormat?: string;
  SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  [member: string]: unknown;
}
export interface GluePartition {
  Values: string[];
  DatabaseName: string;
  TableName: string;
  StorageDescriptor?: StorageDescriptor;
  Parameters?: Record<string, string>;
  CreationTime: number;
  [member: string]: unknown;
}
type Body = Record<string, unknown>;

/** The whole catalog as JSON. */
export interface GlueSnapshot {
  databases: Body[];
  tables: GlueTable[];
  partitions: GluePartition[];
  rulesets: Body[];
}

const TABLE_INPUT = [
  "Name",
  "Description",
  "Owner",
  "Retention",
  "StorageDescriptor",
  "PartitionKeys",
  "ViewOriginalText",
  "ViewExpandedText",
  "TableType",
  "Parameters",
  "LastAccessTime",
  "LastAnalyzedTime",
  "TargetTable",
];
const now = () => Math.floor(Date.now() / 1000);
const key = (values: readonly string[]) => JSON.stringify(values);

/**
 * The Glue Data Catalog, in memory: databases, tables (with VersionId), partitions and the Data
 * Quality rulesets sluice publishes. Names are lower-cased like Glue does. Each operation
 * takes the JSON request body and returns the JSON response, or throws an {@link AwsError}.
 */
export class GlueCatalog {
  private readonly databases = new Map<string, Body>();
  private readonly tables = new Map<string, Map<string, GlueTable>>();
  private readonly partitions = new Map<string, Map<string, GluePartition>>();
  private readonly rulesets = new Map<string, Body>();

  /** Everything, as plain JSON (saved under the endpoint's dir so a restart keeps the catalog). */
  snapshot(): GlueSnapshot {
    return {
      databases: [...this.databases.values()],
      tables: [...this.tables.values()].flatMap((m) => [...m.values()]),
      partitions: [...this.partitions.values()].flatMap((m) => [...m.values()]),
      rulesets: [...this.rulesets.values()],
    };
  }

  /** A catalog holding what {@link snapshot} returned. */
  static restore(snapshot: GlueSnapshot): GlueCatalog {
    const glue = new GlueCatalog();
    for (const db of snapshot.databases) {
      glue.databases.set(String(db.Name), db);
      glue.tables.set(String(db.Name), new Map());
    }
    for (const t of snapshot.tables) glue.tables.get(t.DatabaseName)?.set(t.Name, t);
    for (const p of snapshot.partitions) {
      const table = glue.findTable(p.DatabaseName, p.TableName);
      if (table !== undefined) glue.partitionsOf(table).set(key(p.Values), p);
    }
    for (const r of snapshot.rulesets) glue.rulesets.set(String(r.Name), r);
    return glue;
  }

  /** The table, or undefined (for the SQL side, which reports its own errors). */
  findTable(database: string, name: string): GlueTable | undefined {
    return this.tables.get(database.toLowerCase())?.get(name.toLowerCase());
  }
  hasDatabase(name: string): boolean {
    return this.databases.has(name.toLowerCase());
  }
  /** Every table of every database (to find the ones a query mentions). */
  allTables(): GlueTable[] {
    return [...this.tables.values()].flatMap((m) => [...m.values()]);
  }
  tablePartitions(table: GlueTable): GluePartition[] {
    return [...(this.partitions.get(`${table.DatabaseName}.${table.Name}`)?.values() ?? [])];
  }

  readonly operations: Record<string, (body: Body) => unknown> = {
    CreateDatabase: (body) => {
      rejectUnknownMembers(body, ["DatabaseInput", "CatalogId", "Tags"]);
      const input = body.DatabaseInput as Body;
      const name = String(input.Name).toLowerCase();
      if (this.databases.has(name))
        throw new AwsError("AlreadyExistsException", "Database already exists.");
      this.databases.set(name, {
        ...input,
        Name: name,
        CreateTime: now(),
        CatalogId: "000000000000",
      });
      this.tables.set(name, new Map());
      return {};
    },
    GetDatabase: (body) => {
      rejectUnknownMembers(body, ["Name", "CatalogId"]);
      return { Database: this.database(String(body.Name)) };
    },
    GetDatabases: (body) => {
      rejectUnknownMembers(body, ["NextToken", "MaxResults", "CatalogId", "ResourceShareType"]);
      const { items, next } = page(
        [...this.databases.values()],
        body.NextToken,
        body.MaxResults,
        100,
      );
      return { DatabaseList: items, ...(next ? { NextToken: next } : {}) };
    },
    DeleteDatabase: (body) => {
      rejectUnknownMembers(body, ["Name", "CatalogId"]);
      const name = String(body.Name).toLowerCase();
      this.database(name);
      for (const table of this.tables.get(name)?.keys() ?? [])
        this.partitions.delete(`${name}.${table}`);
      this.databases.delete(name);
      this.tables.delete(name);
      return {};
    },
    CreateTable: (body) => {
      rejectUnknownMembers(body, [
        "DatabaseName",
        "TableInput",
        "CatalogId",
        "PartitionIndexes",
        "TransactionId",
        "OpenTableFormatInput",
      ]);
      this.createTable(String(body.DatabaseName), body.TableInput as Body);
      return {};
    },
    GetTable: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "Name", "CatalogId"]);
      return { Table: this.table(String(body.DatabaseName), String(body.Name)) };
    },
    GetTables: (body) => {
      rejectUnknownMembers(body, [
        "DatabaseName",
        "Expression",
        "NextToken",
        "MaxResults",
        "CatalogId",
      ]);
      const db = this.database(String(body.DatabaseName)).Name as string;
      const pattern =
        body.Expression === undefined ? undefined : globRegex(String(body.Expression));
      const all = [...(this.tables.get(db)?.values() ?? [])].filter(
        (t) => pattern === undefined || pattern.test(t.Name),
      );
      const { items, next } = page(all, body.NextToken, body.MaxResults, 100);
      return { TableList: items, ...(next ? { NextToken: next } : {}) };
    },
    UpdateTable: (body) => {
      rejectUnknownMembers(body, [
        "DatabaseName",
        "TableInput",
        "VersionId",
        "SkipArchive",
        "CatalogId",
      ]);
      const input = body.TableInput as Body;
      const current = this.table(String(body.DatabaseName), String(input.Name));
      if (body.VersionId !== undefined && String(body.VersionId) !== current.VersionId) {
        throw new AwsError(
          "ConcurrentModificationException",
          `Update table failed due to concurrent modifications: VersionId ${String(body.VersionId)} is not the current version ${current.VersionId}.`,
        );
      }
      this.putTable(current.DatabaseName, input, current);
      return {};
    },
    DeleteTable: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "Name", "CatalogId", "TransactionId"]);
      this.deleteTable(String(body.DatabaseName), String(body.Name));
      return {};
    },
    BatchDeleteTable: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TablesToDelete", "CatalogId"]);
      const names = body.TablesToDelete as string[];
      checkLength(names, "tablesToDelete", 100);
      const Errors: Body[] = [];
      for (const name of names) {
        try {
          this.deleteTable(String(body.DatabaseName), name);
        } catch (error) {
          Errors.push({ TableName: name, ErrorDetail: detail(error) });
        }
      }
      return { Errors };
    },
    CreatePartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "PartitionInput", "CatalogId"]);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      this.createPartition(table, body.PartitionInput as Body);
      return {};
    },
    GetPartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "PartitionValues", "CatalogId"]);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      return { Partition: this.partition(table, body.PartitionValues as string[]) };
    },
    BatchCreatePartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "PartitionInputList", "CatalogId"]);
      const inputs = body.PartitionInputList as Body[];
      checkLength(inputs, "partitionInputList", 100);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      const Errors: Body[] = [];
      for (const input of inputs) {
        try {
          this.createPartition(table, input);
        } catch (error) {
          Errors.push({ PartitionValues: input.Values, ErrorDetail: detail(error) });
        }
      }
      return { Errors };
    },
    BatchDeletePartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "PartitionsToDelete", "CatalogId"]);
      const list = body.PartitionsToDelete as { Values: string[] }[];
      checkLength(list, "partitionsToDelete", 25);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      const Errors: Body[] = [];
      for (const { Values } of list) {
        try {
          this.partition(table, Values);
          this.partitionsOf(table).delete(key(Values));
        } catch (error) {
          Errors.push({ PartitionValues: Values, ErrorDetail: detail(error) });
        }
      }
      return { Errors };
    },
    BatchUpdatePartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "Entries", "CatalogId"]);
      const entries = body.Entries as { PartitionValueList: string[]; PartitionInput: Body }[];
      checkLength(entries, "entries", 100);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      const Errors: Body[] = [];
      for (const entry of entries) {
        try {
          const current = this.partition(table, entry.PartitionValueList);
          const updated = {
            ...current,
            ...entry.PartitionInput,
            DatabaseName: table.DatabaseName,
            TableName: table.Name,
          } as GluePartition;
          this.partitionsOf(table).delete(key(entry.PartitionValueList));
          this.partitionsOf(table).set(key(updated.Values), updated);
        } catch (error) {
          Errors.push({ PartitionValueList: entry.PartitionValueList, ErrorDetail: detail(error) });
        }
      }
      return { Errors };
    },
    BatchGetPartition: (body) => {
      rejectUnknownMembers(body, ["DatabaseName", "TableName", "PartitionsToGet", "CatalogId"]);
      const list = body.PartitionsToGet as { Values: string[] }[];
      checkLength(list, "partitionsToGet", 1000);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      const found = list
        .map((p) => this.partitionsOf(table).get(key(p.Values)))
        .filter((p) => p !== undefined);
      return { Partitions: found, UnprocessedKeys: [] };
    },
    GetPartitions: (body) => {
      rejectUnknownMembers(body, [
        "DatabaseName",
        "TableName",
        "NextToken",
        "MaxResults",
        "CatalogId",
        "ExcludeColumnSchema",
        "Expression",
      ]);
      const table = this.table(String(body.DatabaseName), String(body.TableName));
      const filter =
        body.Expression === undefined
          ? () => true
          : partitionFilter(String(body.Expression), table);
      const all = this.tablePartitions(table).filter(filter);
      const { items, next } = page(all, body.NextToken, body.MaxResults, 1000);
      const shown =
        body.ExcludeColumnSchema === true
          ? items.map((p) => ({
              ...p,
              StorageDescriptor: { ...p.StorageDescriptor, Columns: undefined },
            }))
          : items;
      return { Partitions: shown, ...(next ? { NextToken: next } : {}) };
    },
    CreateDataQualityRuleset: (body) => {
      rejectUnknownMembers(body, [
        "Name",
        "Ruleset",
        "Description",
        "TargetTable",
        "Tags",
        "DataQualitySecurityConfiguration",
        "ClientToken",
      ]);
      const name = String(body.Name);
      if (this.rulesets.has(name))
        throw new AwsError("AlreadyExistsException", `Ruleset ${name} already exists.`);
      if (!/(^|\n)\s*Rules\s*=\s*\[/.test(String(body.Ruleset)))
        throw new AwsError(
          "InvalidInputException",
          "Ruleset is not valid DQDL: it has no Rules = [ ... ] list",
        );
      this.rulesets.set(name, {
        Name: name,
        Ruleset: body.Ruleset,
        Description: body.Description,
        TargetTable: body.TargetTable,
        CreatedOn: now(),
        LastModifiedOn: now(),
      });
      return { Name: name };
    },
    UpdateDataQualityRuleset: (body) => {
      rejectUnknownMembers(body, ["Name", "Ruleset", "Description"]);
      const current = this.ruleset(String(body.Name));
      this.rulesets.set(String(body.Name), {
        ...current,
        Ruleset: body.Ruleset ?? current.Ruleset,
        Description: body.Description ?? current.Description,
        LastModifiedOn: now(),
      });
      return { Name: body.Name, Ruleset: body.Ruleset, Description: body.Description };
    },
    GetDataQualityRuleset: (body) => {
      rejectUnknownMembers(body, ["Name"]);
      return this.ruleset(String(body.Name));
    },
  };

  /** Create a table (the SQL side's DDL uses this too). */
  createTable(database: string, input: Body): GlueTable {
    const db = this.database(database).Name as string;
    if (this.tables.get(db)!.has(String(input.Name).toLowerCase()))
      throw new AwsError("AlreadyExistsException", "Table already exists.");
    return this.putTable(db, input, undefined);
  }
  /** Replace a table's definition (new VersionId). */
  putTable(database: string, input: Body, current: GlueTable | undefined): GlueTable {
    rejectUnknownMembers(input, TABLE_INPUT);
    checkTableTexts(input);
    const name = String(input.Name).toLowerCase();
    const table: GlueTable = {
      ...input,
      Name: name,
      DatabaseName: database,
      CatalogId: "000000000000",
      IsRegisteredWithLakeFormation: false,
      CreateTime: current?.CreateTime ?? now(),
      UpdateTime: now(),
      VersionId: String(current === undefined ? 0 : Number(current.VersionId) + 1),
    };
    this.tables.get(database)!.set(name, table);
    return table;
  }
  deleteTable(database: string, name: string): void {
    const table = this.table(database, name);
    this.tables.get(table.DatabaseName)!.delete(table.Name);
    this.partitions.delete(`${table.DatabaseName}.${table.Name}`);
  }
  createPartition(table: GlueTable, input: Body): GluePartition {
    rejectUnknownMembers(input, [
      "Values",
      "StorageDescriptor",
      "Parameters",
      "LastAccessTime",
      "LastAnalyzedTime",
    ]);
    const values = (input.Values as string[] | undefined) ?? [];
    if (values.length !== (table.PartitionKeys ?? []).length) {
      throw new AwsError(
        "InvalidInputException",
        `The number of partition keys do not match the number of partition values`,
      );
    }
    const partitions = this.partitionsOf(table);
    if (partitions.has(key(values)))
      throw new AwsError("AlreadyExistsException", "Partition already exists.");
    const partition: GluePartition = {
      ...input,
      Values: values,
      DatabaseName: table.DatabaseName,
      TableName: table.Name,
      CreationTime: now(),
    };
    partitions.set(key(values), partition);
    return partition;
  }

  private database(name: string): Body {
    const db = this.databases.get(name.toLowerCase());
    if (db === undefined)
      throw new AwsError("EntityNotFoundException", `Database ${name} not found.`);
    return db;
  }
  private table(database: string, name: string): GlueTable {
    this.database(database);
    const table = this.findTable(database, name);
    if (table === undefined)
      throw new AwsError("EntityNotFoundException", `Table ${name} not found.`);
    return table;
  }
  private partitionsOf(table: GlueTable): Map<string, GluePartition> {
    const id = `${table.DatabaseName}.${table.Name}`;
    let map = this.partitions.get(id);
    if (map === undefined) this.partitions.set(id, (map = new Map()));
    return map;
  }
  private partition(table: GlueTable, values: string[]): GluePartition {
    const partition = this.partitionsOf(table).get(key(values));
    if (partition === undefined)
      throw new AwsError("EntityNotFoundException", "Cannot find partition.");
    return partition;
  }
  private ruleset(name: string): Body {
    const ruleset = this.rulesets.get(name);
    if (ruleset === undefined)
      throw new AwsError("EntityNotFoundException", `Cannot find Data Quality Ruleset ${name}`);
    return ruleset;
  }
}

/**
 * Glue's constraints on a table input's texts (API reference, `TableInput` and `Column`): a
 * `Description` of at most 2,048 characters, a column `Name` of 1 to 255 and a `Comment` of at
 * most 255, each of the characters its pattern allows (no control character but a tab; line
 * breaks in a description only). A ValidationException as Glue words it, naming the member.
 */
function checkTableTexts(input: Body): void {
  const check = (value: unknown, member: string, max: number, lines: boolean): void => {
    if (typeof value !== "string") return;
    const pattern = lines ? /^[\t\n\r\P{Cc}]*$/u : /^[\t\P{Cc}]*$/u;
    const problem =
      value.length > max
        ? `Member must have length less than or equal to ${max}`
        : !pattern.test(value)
          ? `Member must satisfy regular expression pattern: [\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF${lines ? "\\r\\n" : ""}\\t]*`
          : undefined;
    if (problem)
      throw new AwsError(
        "ValidationException",
        `1 validation error detected: Value at 'tableInput.${member}' failed to satisfy constraint: ${problem}`,
      );
  };
  check(input.Description, "description", 2048, true);
  const sd = input.StorageDescriptor as StorageDescriptor | undefined;
  const columns: [string, GlueColumn[] | undefined][] = [
    ["storageDescriptor.columns", sd?.Columns],
    ["partitionKeys", input.PartitionKeys as GlueColumn[] | undefined],
  ];
  for (const [member, list] of columns)
    (list ?? []).forEach((c, i) => {
      check(c.Comment, `${member}.${i + 1}.member.comment`, 255, false);
      check(c.Name, `${member}.${i + 1}.member.name`, 255, false);
    });
}

function detail(error: unknown): Body {
  if (error instanceof AwsError) return { ErrorCode: error.code, ErrorMessage: error.message };
  throw error;
}

/** Glue's table-name pattern: a regular expression in which a bare `*` means "anything". */
function globRegex(expression: string): RegExp {
  return new RegExp(`^(?:${expression.replace(/(?<!\.)\*/g, ".*")})$`, "i");
}

/**
 * A GetPartitions expression limited to what sluice sends: `key = 'value'` comparisons joined
 * by AND/OR with parentheses. Anything else is rejected, as Glue rejects what it cannot parse.
 */
function partitionFilter(expression: string, table: GlueTable): (p: GluePartition) => boolean {
  const keys = (table.PartitionKeys ?? []).map((k) => k.Name.toLowerCase());
  const tokens =
    expression
      .match(/\s*(\(|\)|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*|=|\S)/g)
      ?.map((t) => t.trim()) ?? [];
  let i = 0;
  const bad = () => new AwsError("InvalidInputException", `Unsupported expression: ${expression}`);
  type Pred = (values: string[]) => boolean;
  const primary = (): Pred => {
    if (tokens[i] === "(") {
      i++;
      const inner = or();
      if (tokens[i++] !== ")") throw bad();
      return inner;
    }
    const column = keys.indexOf((tokens[i++] ?? "").toLowerCase());
    if (column < 0 || tokens[i++] !== "=") throw bad();
    const literal = tokens[i++] ?? "";
    if (!literal.startsWith("'")) throw bad();
    const value = literal.slice(1, -1).replaceAll("''", "'");
    return (values) => values[column] === value;
  };
  const and = (): Pred => {
    let left = primary();
    while (tokens[i]?.toUpperCase() === "AND") {
      i++;
      const a = left,
        b = primary();
      left = (v) => a(v) && b(v);
    }
    return left;
  };
  const or = (): Pred => {
    let left = and();
    while (tokens[i]?.toUpperCase() === "OR") {
      i++;
      const a = left,
        b = and();
      left = (v) => a(v) || b(v);
    }
    return left;
  };
  const predicate = or();
  if (i !== tokens.length) throw bad();
  return (p) => predicate(p.Values);
}
