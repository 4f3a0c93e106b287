import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** A state sidecar's body, as far as these copies change it (see the runner's state-sidecar.ts). */
interface SidecarBody {
  digests?: unknown;
  columns: string[];
}

/**
 * Copies of a `--state` folder (manifest.json and manifest.state.json) with its sidecar changed,
 * for telling from outside whether a selection reused the state's checksums (#17):
 * `withoutDigests` records no compile digests (nothing to reuse: every node hashed), `wrongBody`
 * records a wrong body checksum for one node (hashed, the node is selected; reused, it is not).
 */
export function stateCopies(state: string, into: string) {
  const copy = async (name: string, change: (body: SidecarBody) => void): Promise<string> => {
    const dir = path.join(into, name);
    await mkdir(dir, { recursive: true });
    await cp(path.join(state, "manifest.json"), path.join(dir, "manifest.json"));
    const text = await readFile(path.join(state, "manifest.state.json"), "utf8");
    const [head, body] = text.split("\n");
    const parsed = JSON.parse(body!) as SidecarBody;
    change(parsed);
    await writeFile(path.join(dir, "manifest.state.json"), `${head}\n${JSON.stringify(parsed)}`);
    return dir;
  };
  return {
    /** The recorded compile digests' key (undefined: none recorded). */
    digestsKey: async (): Promise<string | undefined> => {
      const text = await readFile(path.join(state, "manifest.state.json"), "utf8");
      const body = JSON.parse(text.split("\n")[1]!) as { digests?: { key: string } };
      return body.digests?.key;
    },
    withoutDigests: (name: string) => copy(name, (b) => delete b.digests),
    /** With the body checksum of `id` wrong (its other parts as recorded); `digests`: kept. */
    wrongBody: (name: string, id: string, digests = true) =>
      copy(name, (b) => {
        const ids = b.columns[0]!.split("\n");
        const sums = b.columns[1]!.split("\n");
        const row = ids.indexOf(id);
        if (row < 0) throw new Error(`${id} is not in the state`);
        sums[row] = `0000000000000000${sums[row]!.slice(16)}`;
        b.columns[1] = sums.join("\n");
        if (!digests) delete b.digests;
      }),
  };
}
