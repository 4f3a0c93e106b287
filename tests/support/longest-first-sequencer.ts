import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { UNLISTED_MS, fileDurations } from "./file-durations.js";

/**
 * Orders the test files longest first (longest-processing-time scheduling): with 2 workers, a
 * 3-minute file started last would keep one worker busy for 3 minutes while the other idles.
 * A file's duration is the one vitest cached from this machine's last run of it (local reruns),
 * else the checked-in table ({@link fileDurations}: what a fresh CI machine knows), else
 * {@link UNLISTED_MS}; ties (unlisted files) go larger file first, as vitest's default does.
 * Failed files of the last local run still go first.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const known = (spec: TestSpecification) => {
      // vitest keys its cache by the path from the run's root; the table is by the path from
      // tests/ (the same unless vitest runs from the workspace root).
      const key = `${spec.project.name}:${path.relative(config.root, spec.moduleId)}`;
      const rel = path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/");
      const cached = cache.getFileTestResults(key);
      return {
        failed: cached?.failed === true,
        ms: cached?.duration ?? fileDurations[rel] ?? UNLISTED_MS,
        size: cache.getFileStats(key)?.size ?? 0,
      };
    };
    const keyed = files.map((spec) => ({ spec, ...known(spec) }));
    keyed.sort((a, b) => Number(b.failed) - Number(a.failed) || b.ms - a.ms || b.size - a.size);
    return keyed.map((k) => k.spec);
  }
}
