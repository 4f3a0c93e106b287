import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { AwsError } from "./aws-error.js";
import type { S3Store } from "./s3-store.js";

/** What the HTTP layer sends back for an S3 request. */
export interface S3Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const xml = (body: string): S3Reply => ({
  status: 200,
  headers: { "Content-Type": "application/xml" },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
});
const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const unesc = (s: string) =>
  s.replace(/&(#x?[0-9a-fA-F]+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e === "lt"
      ? "<"
      : e === "gt"
        ? ">"
        : e === "amp"
          ? "&"
          : e === "quot"
            ? '"'
            : e === "apos"
              ? "'"
              : String.fromCodePoint(
                  e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
                ),
  );
const etag = (data: Buffer) => `"${createHash("md5").update(data).digest("hex")}"`;

/** Query parameters the SDK adds that carry no meaning for the operation. */
const IGNORED = new Set(["x-id"]);

/** Which S3 operation a path-style request is: the name fault injection and errors use. */
export function s3Operation(method: string, url: URL): string {
  const [, bucket = "", ...rest] = url.pathname.split("/");
  const key = rest.join("/");
  const q = url.searchParams;
  if (bucket === "") return method === "GET" ? "ListBuckets" : "Unknown";
  if (key === "") {
    if (method === "GET" && q.get("list-type") === "2") return "ListObjectsV2";
    if (method === "POST" && q.has("delete")) return "DeleteObjects";
    if (method === "PUT" && [...q.keys()].length === 0) return "CreateBucket";
    if (method === "HEAD") return "HeadBucket";
    return "Unknown";
  }
  const params = [...q.keys()].filter((k) => !IGNORED.has(k));
  if (params.length > 0) return "Unknown";
  return (
    (
      { GET: "GetObject", PUT: "PutObject", HEAD: "HeadObject", DELETE: "DeleteObject" } as Record<
        string,
        string
      >
    )[method] ?? "Unknown"
  );
}

/**
 * The S3 REST subset (path-style) sluice and its tests use: ListObjectsV2 (prefix, delimiter,
 * continuation, start-after, max-keys), GetObject, PutObject, HeadObject, DeleteObject,
 * DeleteObjects, CreateBucket, HeadBucket. Other operations, subresources and request headers
 * that change semantics (Range, conditional headers) are refused with `NotImplemented`.
 */
export async function s3Request(
  store: S3Store,
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<S3Reply> {
  const op = s3Operation(req.method ?? "GET", url);
  const [, rawBucket = "", ...rest] = url.pathname.split("/");
  const bucket = decodedPath(rawBucket);
  const key = decodedPath(rest.join("/"));
  for (const header of [
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "x-amz-copy-source",
  ]) {
    if (req.headers[header] !== undefined)
      throw new AwsError(
        "NotImplemented",
        `aws-local does not implement the ${header} header`,
        501,
      );
  }
  switch (op) {
    case "ListObjectsV2":
      return listObjects(store, bucket, url.searchParams);
    case "GetObject":
    case "HeadObject": {
      await store.requireBucket(bucket);
      const file = store.file(bucket, key);
      const s = await stat(file).catch(() => undefined);
      if (s === undefined || !s.isFile())
        throw new AwsError("NoSuchKey", "The specified key does not exist.", 404);
      const data = await readFile(file);
      const headers = {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(data.length),
        ETag: etag(data),
        "Last-Modified": s.mtime.toUTCString(),
      };
      return op === "HeadObject" ? { status: 200, headers } : { status: 200, headers, body: data };
    }
    case "PutObject": {
      const data = isChunked(req) ? decodeAwsChunked(body) : body;
      await store.put(bucket, key, data);
      return { status: 200, headers: { ETag: etag(data) } };
    }
    case "DeleteObject":
      await store.requireBucket(bucket);
      await store.delete(bucket, key);
      return { status: 204, headers: {} };
    case "DeleteObjects":
      return deleteObjects(
        store,
        bucket,
        (isChunked(req) ? decodeAwsChunked(body) : body).toString("utf8"),
      );
    case "CreateBucket":
      await mkdir(store.bucketDir(bucket), { recursive: true });
      return { status: 200, headers: { Location: `/${bucket}` } };
    case "HeadBucket":
      await store.requireBucket(bucket);
      return { status: 200, headers: {} };
    default:
      throw new AwsError(
        "NotImplemented",
        `aws-local does not implement ${req.method} ${url.pathname}${url.search}`,
        501,
      );
  }
}

async function listObjects(store: S3Store, bucket: string, q: URLSearchParams): Promise<S3Reply> {
  const known = [
    "list-type",
    "prefix",
    "delimiter",
    "continuation-token",
    "max-keys",
    "start-after",
    "encoding-type",
    "fetch-owner",
  ];
  const unknown = [...q.keys()].filter((k) => !known.includes(k) && !IGNORED.has(k));
  if (unknown.length > 0)
    throw new AwsError(
      "NotImplemented",
      `aws-local does not implement ListObjectsV2 parameter(s) ${unknown.join(", ")}`,
      501,
    );
  if (q.get("encoding-type") !== null && q.get("encoding-type") !== "url")
    throw new AwsError("InvalidArgument", "Invalid Encoding Method specified in Request");
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = Math.min(1000, Number(q.get("max-keys") ?? 1000));
  const token = q.get("continuation-token");
  const after =
    token !== null
      ? Buffer.from(token, "base64url").toString("utf8")
      : (q.get("start-after") ?? "");
  const encode =
    q.get("encoding-type") === "url"
      ? (s: string) => encodeURIComponent(s).replace(/%2F/g, "/")
      : (s: string) => s;
  const entries = (await store.list(bucket, prefix)).filter((e) => e.key > after);
  const contents: string[] = [];
  const prefixes: string[] = [];
  let last = "";
  let truncated = false;
  for (const entry of entries) {
    const cut = delimiter === "" ? -1 : entry.key.indexOf(delimiter, prefix.length);
    const common = cut < 0 ? undefined : entry.key.slice(0, cut + delimiter.length);
    if (common !== undefined && prefixes.at(-1) === common) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      last = common + "\uffff";
    } else {
      contents.push(
        `<Contents><Key>${esc(encode(entry.key))}</Key><LastModified>${entry.modified.toISOString()}</LastModified><ETag>"${entry.size.toString(16)}"</ETag><Size>${entry.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = entry.key;
    }
  }
  const next = truncated
    ? `<NextContinuationToken>${Buffer.from(last, "utf8").toString("base64url")}</NextContinuationToken>`
    : "";
  return xml(
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${esc(bucket)}</Name><Prefix>${esc(encode(prefix))}</Prefix>` +
      (delimiter ? `<Delimiter>${esc(encode(delimiter))}</Delimiter>` : "") +
      `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token !== null ? `<ContinuationToken>${esc(token)}</ContinuationToken>` : "") +
      next +
      (q.get("encoding-type") ? `<EncodingType>url</EncodingType>` : "") +
      contents.join("") +
      prefixes
        .map((p) => `<CommonPrefixes><Prefix>${esc(encode(p))}</Prefix></CommonPrefixes>`)
        .join("") +
      `</ListBucketResult>`,
  );
}

async function deleteObjects(store: S3Store, bucket: string, body: string): Promise<S3Reply> {
  await store.requireBucket(bucket);
  const keys = objectKeys(body);
  if (!/<Delete[\s>]/.test(body) || keys.length === 0 || keys.length > 1000) {
    throw new AwsError(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    );
  }
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/.test(body);
  for (const key of keys) await store.delete(bucket, key);
  const deleted = quiet ? "" : keys.map((k) => `<Deleted><Key>${esc(k)}</Key></Deleted>`).join("");
  return xml(
    `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}</DeleteResult>`,
  );
}

/** The keys a DeleteObjects body names. */
function objectKeys(body: string): string[] {
  return [...body.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map((m) =>
    unesc(m[1]!),
  );
}

/** The keys of a DeleteObjects request (for the call log); none when the body is unreadable. */
export function deletedKeys(req: IncomingMessage, body: Buffer): string[] {
  try {
    return objectKeys((isChunked(req) ? decodeAwsChunked(body) : body).toString("utf8"));
  } catch {
    return [];
  }
}

function isChunked(req: IncomingMessage): boolean {
  return (
    String(req.headers["content-encoding"] ?? "").includes("aws-chunked") ||
    String(req.headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-")
  );
}

/** The payload of an `aws-chunked` body: `<hex size>[;ext]\r\n<data>\r\n`... up to a 0-size chunk (then trailers). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) throw new AwsError("IncompleteBody", "aws-chunked body ended early");
    const size = parseInt(body.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
    if (!Number.isInteger(size))
      throw new AwsError("InvalidRequest", "bad aws-chunked chunk header");
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** S3's XML error body. */
export function s3ErrorReply(error: AwsError, resource: string): S3Reply {
  return {
    status: error.status === 400 && error.code === "NoSuchKey" ? 404 : error.status,
    headers: { "Content-Type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(error.code)}</Code><Message>${esc(error.message)}</Message><Resource>${esc(resource)}</Resource><RequestId>local</RequestId></Error>`,
  };
}

/**
 * A path segment of a request's URL, percent-decoded; a malformed escape (`%zz`, a cut UTF-8
 * sequence) is S3's 400 InvalidURI, as S3 answers it (it was a 500 here).
 */
function decodedPath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AwsError("InvalidURI", "Couldn't parse the specified URI.", 400);
  }
}
