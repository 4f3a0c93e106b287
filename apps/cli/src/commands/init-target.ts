import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "@sluice/runner/atomic-file";
import type { CommandSpec } from "../command.js";
import { ExitCode } from "../command.js";
import { commandHeads } from "./command-heads.js";

type InitTargetArgs = Record<string, unknown> & {
  fromStack: string;
  name: string;
  stack?: string;
  write: boolean;
};

/**
 * `sluice init-target --from-stack <cdk outputs json> --name prod [--write]`: the Athena target
 * the deployed stack (apps/infra) describes, printed as YAML, or written into sluice.yml's
 * `targets:` (comments and the rest of the file kept).
 */
export const initTargetCommand: CommandSpec<InitTargetArgs> = {
  ...commandHeads.initTarget,
  options: {
    "from-stack": {
      type: "string",
      demandOption: true,
      describe: "the JSON `cdk deploy --outputs-file` wrote for the seed's stack (apps/infra)",
    },
    name: { type: "string", default: "prod", describe: "name of the target in sluice.yml" },
    stack: { type: "string", describe: "the stack to read, when the file holds several" },
    write: {
      type: "boolean",
      default: false,
      describe: "write the target into sluice.yml instead of printing it",
    },
  },
  examples: [
    [
      "$0 init-target --from-stack cdk-outputs.json --name prod",
      "the prod target of a deployed stack, as YAML for sluice.yml",
    ],
  ],
  check: (args) =>
    /^[A-Za-z][\w-]*$/.test(args.name)
      ? undefined
      : `--name: a target name such as prod (letters, digits, '_', '-'), got '${args.name}'`,
  handler: async (args, io) => {
    let text: string;
    try {
      text = await readFile(args.fromStack, "utf8");
    } catch (err) {
      io.err(
        `error: cannot read --from-stack ${args.fromStack}: ${(err as Error).message}\n` +
          "  hint: cd apps/infra && npx cdk deploy -c stage=prod --outputs-file cdk-outputs.json",
      );
      return ExitCode.usage;
    }
    let outputs: unknown;
    try {
      outputs = JSON.parse(text);
    } catch (err) {
      io.err(`error: ${args.fromStack} is not JSON: ${(err as Error).message}`);
      return ExitCode.usage;
    }
    const { targetFromStackOutputs, targetYaml } = await import("@sluice/infra/outputs");
    const parsed = targetFromStackOutputs(outputs, args.stack);
    if (!parsed.ok) {
      for (const e of parsed.errors) io.err(`error: ${args.fromStack}: ${e}`);
      return ExitCode.usage;
    }
    const role = parsed.buildRoleArn
      ? `CI runs \`sluice build --target ${args.name}\` as ${parsed.buildRoleArn}`
      : "";
    if (!args.write) {
      io.out(targetYaml(args.name, parsed.target));
      if (role) io.err(role);
      return ExitCode.ok;
    }
    const file = path.join(path.resolve(args.projectDir), "sluice.yml");
    const { parseDocument } = await import("yaml");
    const doc = parseDocument(await readFile(file, "utf8"));
    if (doc.errors.length > 0) {
      io.err(`error: ${file}: ${doc.errors[0]!.message}`);
      return ExitCode.usage;
    }
    const existed = doc.hasIn(["targets", args.name]);
    doc.setIn(["targets", args.name], parsed.target);
    // The user's own file: replaced whole (a full disk mid-write left half of it), through the
    // link when sluice.yml is one.
    await writeFileAtomic(file, doc.toString());
    io.out(
      `${existed ? "Replaced" : "Added"} target '${args.name}' in ${file} (stack ${parsed.stack}).${role ? ` ${role}.` : ""}`,
    );
    return ExitCode.ok;
  },
};
