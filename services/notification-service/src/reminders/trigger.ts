import type { DaprWorkflowClient } from "@dapr/dapr";
import { startWorkflowOnce } from "@nudge/dapr";
import type { DeliveryInput } from "../activities/index.ts";
import type { ReminderJob } from "./jobs.ts";

/**
 * A job fired: start the delivery workflow under the job's name. A duplicate trigger (the
 * scheduler's at-least-once retry, a redelivery after a crash) finds the instance and does
 * nothing, so one occurrence can never have two deliveries.
 */
export function startDelivery(
  client: DaprWorkflowClient,
  workflowName: string,
  jobName: string,
  job: ReminderJob,
): Promise<"started" | "already-started"> {
  const input: DeliveryInput = { ...job, deliveryId: jobName };
  return startWorkflowOnce(client, workflowName, input, jobName);
}
