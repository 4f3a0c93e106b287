import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AwsError } from "./aws-error.js";

/** One stored object. */
export interface S3Entry {
  key: string;
  size: number;
  modified: Date;
}

/**
 * S3 on a directory: bucket `b` is the folder `<dir>/b`, key `k` the file `<dir>/b/k`. Names
 * starting with `.` are in-flight writes (the generator renames a finished object into place),
 * so they are not listed, like an S3 upload that has not completed.
 */
export class S3Store {
  constructor(readonly dir: string) {}

  /** The file holding `s3://bucket/key`; refuses keys that would leave the bucket. */
  file(bucket: string, key: string): string {
    const root = this.bucketDir(bucket);
    const file = path.resolve(root, key);
    if (file !== root && !file.startsWith(root + path.sep))
      throw new AwsError("InvalidArgument", `Invalid key ${key}`);
    return file;
  }

  bucketDir(bucket: string): string {
    if (!/^[a-z0-9][a-z0-9.-]{1,62}$/.test(bucket))
      throw new AwsError("InvalidBucketName", `The specified bucket is not valid: ${bucket}`);
    return path.resolve(this.dir, bucket);
  }

  async requireBucket(bucket: string): Promise<void> {
    const exists = await stat(this.bucketDir(bucket)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!exists)
      throw new AwsError("NoSuchBucket", `The specified bucket does not exist: ${bucket}`, 404);
  }

  /** Every object under `prefix`, sorted by key (as S3 lists in UTF-8 binary order). */
  async list(bucket: string, prefix = ""): Promise<S3Entry[]> {
    await this.requireBucket(bucket);
    const root = this.bucketDir(bucket);
    // Start the walk at the deepest folder the prefix names.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/") + 1) : "";
    const out: S3Entry[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          if ((key + "/").startsWith(prefix) || prefix.startsWith(key + "/"))
            await walk(path.join(dir, entry.name), key + "/");
        } else if (key.startsWith(prefix)) {
          const s = await stat(path.join(dir, entry.name));
          out.push({ key, size: s.size, modified: s.mtime });
        }
      }
    };
    await walk(path.join(root, folder), folder);
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async put(bucket: string, key: string, data: Buffer | string): Promise<void> {
    await this.requireBucket(bucket);
    const file = this.file(bucket, key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(
      path.dirname(file),
      `.put-${process.pid}-${Math.random().toString(36).slice(2)}`,
    );
    await writeFile(temp, data);
    await rename(temp, file);
  }

  /** Delete an object (absent is fine, as in S3) and the folders it leaves empty. */
  async delete(bucket: string, key: string): Promise<void> {
    const file = this.file(bucket, key);
    await rm(file, { force: true });
    const root = this.bucketDir(bucket);
    for (let dir = path.dirname(file); dir.startsWith(root + path.sep); dir = path.dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
}

/** `s3://bucket/a/b` → `{ bucket, key: "a/b" }`. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new AwsError("InvalidInputException", `not an S3 location: ${url}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** `s3://bucket/a/b` → `s3://bucket/a/b/`. */
export const asFolder = (url: string) => (url.endsWith("/") ? url : `${url}/`);
