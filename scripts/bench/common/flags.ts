import { type ParseArgsConfig, parseArgs } from "node:util";

interface FlagNames<V extends string, S extends string, L extends string> {
  /** Flags that take a value (`--users 100`). */
  values: readonly V[];
  /** Flags that take none (`--profile`). */
  switches?: readonly S[];
  /** Flags that may be given more than once (`--env A=1 --env B=2`). */
  lists?: readonly L[];
}

/**
 * A benchmark's command line, parsed strictly (an unknown flag is an error), with --help/-h
 * asking for the usage.
 */
export function benchFlags<V extends string, S extends string = never, L extends string = never>(
  args: string[],
  names: FlagNames<V, S, L>,
) {
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  for (const name of names.values) options[name] = { type: "string" };
  for (const name of names.switches ?? []) options[name] = { type: "boolean" };
  for (const name of names.lists ?? []) options[name] = { type: "string", multiple: true };
  const { values } = parseArgs({ args, strict: true, options });
  return values as { [K in V]?: string } & { [K in S]?: boolean } & { [K in L]?: string[] } & {
    help?: boolean;
  };
}
