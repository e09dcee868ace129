/**
 * Entry of the compiled executable (the container image; scripts/compile-service.ts builds it):
 * `recurrence-service` serves. It keeps no tables, so there is no `migrate` command.
 */
import { runCommand } from "@nudge/service";

await runCommand("recurrence-service", {
  serve: () => import("./main.ts"),
});
