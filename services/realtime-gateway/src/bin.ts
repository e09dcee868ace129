/**
 * Entry of the compiled executable (the container image; scripts/compile-service.ts builds it):
 * `realtime-gateway` serves. It keeps no tables, so there is no `migrate` command.
 */
import { runCommand } from "@nudge/service";

await runCommand("realtime-gateway", {
  serve: () => import("./main.ts"),
});
