import type { Static, TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Read a service's environment through its TypeBox schema, once, at start: defaults filled,
 * numbers converted, and every missing or invalid variable named in one error.
 */
export function parseEnv<T extends TObject>(schema: T, env: Record<string, string | undefined>): Static<T> {
  const known = Object.fromEntries(Object.keys(schema.properties).map((key) => [key, env[key] || undefined]));
  const value = Value.Default(schema, Value.Convert(schema, known));
  const errors = [...Value.Errors(schema, value)];
  if (errors.length) {
    const lines = errors.map((e) => `${e.path.slice(1) || "(env)"}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(lines)].join("\n  ")}`);
  }
  return value as Static<T>;
}

/** For main.ts: print the configuration problem and exit with status 2 instead of a stack trace. */
export function loadOrExit<C>(service: string, load: () => C): C {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${service}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
