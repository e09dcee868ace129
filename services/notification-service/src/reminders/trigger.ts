import type { DaprWorkflowClient } from "@dapr/dapr";
import type { DeliveryInput } from "../activities/index.ts";
import type { ReminderJob } from "./jobs.ts";

/**
 * A job fired: start the delivery workflow under the job's name. A duplicate trigger (the
 * scheduler's at-least-once retry, a redelivery after a crash) finds the instance and does
 * nothing, so one occurrence can never have two deliveries.
 */
export async function startDelivery(
  client: DaprWorkflowClient,
  workflowName: string,
  jobName: string,
  job: ReminderJob,
): Promise<"started" | "already-started"> {
  if (await client.getWorkflowState(jobName, false).catch(() => undefined)) return "already-started";
  const input: DeliveryInput = { ...job, deliveryId: jobName };
  try {
    await client.scheduleNewWorkflow(workflowName, input, jobName);
    return "started";
  } catch (error) {
    if (/already exists/i.test(String((error as Error)?.message ?? error))) return "already-started";
    throw error;
  }
}
