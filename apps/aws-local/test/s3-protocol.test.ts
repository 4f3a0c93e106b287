import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localAws } from "./helpers.js";

/** The S3 subset through the real SDK v3 client (path-style, default checksums on). */
describe("S3 (REST, path-style) on athena-local", () => {
  let aws: Awaited<ReturnType<typeof localAws>>;
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({
        name: e.name,
        status: e.$metadata?.httpStatusCode,
      }),
    );

  beforeAll(async () => {
    aws = await localAws();
    await aws.s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
    for (const key of ["a/1", "a/2", "a/x/3", "a/x/4", "b/5", "top"])
      await aws.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: key, Body: `body of ${key}` }));
  });
  afterAll(async () => aws?.close());

  it("puts, gets and heads objects; a missing key is NoSuchKey / NotFound", async () => {
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "a/x/3" }));
    expect(await got.Body!.transformToString()).toBe("body of a/x/3");
    expect(
      (await aws.s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "top" }))).ContentLength,
    ).toBe("body of top".length);
    expect(await error(aws.s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "none" })))).toEqual({
      name: "NoSuchKey",
      status: 404,
    });
    expect(await error(aws.s3.send(new HeadObjectCommand({ Bucket: "bkt", Key: "none" })))).toEqual(
      { name: "NotFound", status: 404 },
    );
    expect(
      await error(aws.s3.send(new GetObjectCommand({ Bucket: "nobucket", Key: "x" }))),
    ).toEqual({ name: "NoSuchBucket", status: 404 });
  });

  it("a key whose escape does not decode is S3's 400 InvalidURI, and the endpoint serves on", async () => {
    const res = await fetch(`${aws.local.url}/bkt/a%zz`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidURI</Code>");
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "top" }));
    expect(await got.Body!.transformToString()).toBe("body of top");
  });

  it("lists with prefix, delimiter and continuation tokens", async () => {
    const keys: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await aws.s3.send(
        new ListObjectsV2Command({
          Bucket: "bkt",
          Prefix: "a/",
          Delimiter: "/",
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token !== undefined);
    expect({ keys, prefixes, pages }).toEqual({
      keys: ["a/1", "a/2"],
      prefixes: ["a/x/"],
      pages: 2,
    });
    const all = await aws.s3.send(new ListObjectsV2Command({ Bucket: "bkt" }));
    expect(all.Contents!.map((c) => c.Key)).toEqual(["a/1", "a/2", "a/x/3", "a/x/4", "b/5", "top"]);
  });

  it("deletes objects in a batch (absent keys count as deleted, like S3)", async () => {
    const out = await aws.s3.send(
      new DeleteObjectsCommand({
        Bucket: "bkt",
        Delete: { Objects: [{ Key: "a/x/3" }, { Key: "a/x/4" }, { Key: "never" }] },
      }),
    );
    expect(out.Deleted?.map((d) => d.Key)).toEqual(["a/x/3", "a/x/4", "never"]);
    expect(out.Errors ?? []).toEqual([]);
    const left = await aws.s3.send(new ListObjectsV2Command({ Bucket: "bkt", Prefix: "a/" }));
    expect(left.Contents!.map((c) => c.Key)).toEqual(["a/1", "a/2"]);
  });

  it("refuses operations it does not implement", async () => {
    expect(
      await error(aws.s3.send(new GetObjectTaggingCommand({ Bucket: "bkt", Key: "top" }))),
    ).toEqual({ name: "NotImplemented", status: 501 });
  });
});
