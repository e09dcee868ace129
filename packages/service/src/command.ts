/**
 * The command line of a service's compiled executable (its container image): the first
 * argument names the command, `serve` when absent. An unknown one prints the usage and exits 2.
 */
export async function runCommand(
  service: string,
  commands: Record<string, () => Promise<unknown>>,
  argv: string[] = process.argv,
): Promise<void> {
  const name = argv[2] ?? "serve";
  const command = commands[name];
  if (!command) {
    console.error(`usage: ${service} [${Object.keys(commands).join("|")}] (got "${name}")`);
    process.exit(2);
  }
  await command();
}
