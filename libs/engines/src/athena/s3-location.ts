/** An `s3://bucket/key/prefix/` URL split into bucket and key prefix (always ending in `/`). */
export function parseS3Directory(url: string): { bucket: string; prefix: string } {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`not an S3 location: ${url}`);
  const key = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1]!, prefix: key === "" ? "" : `${key}/` };
}
