/**
 * Entry of the compiled executable (the container image; scripts/compile-service.ts builds it):
 * `notification-service` serves, `notification-service migrate` applies the schema migrations and exits (the Kubernetes
 * migration Job runs the same image with that argument). Source runs use main.ts / migrate.ts.
 */
import { runCommand } from "@nudge/service";

await runCommand("notification-service", {
  serve: () => import("./main.ts"),
  migrate: async () => {
    await (await import("./migrate.ts")).migrations.fromEnvironment();
    process.exit(0);
  },
});
