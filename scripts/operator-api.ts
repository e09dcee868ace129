/**
 * What `./nudge dlq` and `./nudge outbox` share: calling a service's operator API with the
 * operator token, and a command line that prints a failure as one line and exits 1.
 */

/** `call(method, path, body?)` against `${base}${prefix}`, answering the parsed JSON. */
export function operatorApi(service: string, base: string, prefix: string) {
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = process.env.OPERATOR_TOKEN;
    if (!token) throw new Error(`OPERATOR_TOKEN is not set (${service}'s operator token)`);
    const response = await fetch(`${base}${prefix}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error) => {
      throw new Error(`${service} at ${base} is not reachable (${error.message}): is it running?`);
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${service} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
}

/** Run `command` on the process's arguments and exit with its status (1, with the message, on an error). */
export async function runOperatorCommand(name: string, command: (args: string[]) => Promise<number>) {
  try {
    process.exit(await command(process.argv.slice(2)));
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(1);
  }
}
