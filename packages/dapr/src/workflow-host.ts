import { DaprWorkflowClient, LogLevel, WorkflowRuntime } from "@dapr/dapr";

type Workflow = Parameters<WorkflowRuntime["registerWorkflow"]>[0];
type Activity = Parameters<WorkflowRuntime["registerActivity"]>[0];

export interface WorkflowHostOptions {
  /**
   * Work items (workflow steps and activities) the worker runs at once; the SDK's own default
   * is 10, beyond which it queues them (patched: it used to drop them).
   */
  maxConcurrentWorkItems?: number;
}

/**
 * A service's workflow worker and client on its own sidecar, with one workflow and its
 * activities registered. `start` waits for the sidecar: the worker needs a live one for its
 * first connection (later reconnects are the patched SDK's job).
 */
export function workflowHost(
  sidecar: { grpcHost: string; grpcPort: number },
  workflow: Workflow,
  activities: Record<string, Activity>,
  options: WorkflowHostOptions = {},
) {
  const dapr = {
    daprHost: sidecar.grpcHost,
    daprPort: String(sidecar.grpcPort),
    logger: { level: LogLevel.Warn },
  };
  const runtime = new WorkflowRuntime(dapr).registerWorkflow(workflow);
  for (const activity of Object.values(activities)) runtime.registerActivity(activity);
  if (options.maxConcurrentWorkItems) {
    // @dapr/dapr 3.18 offers no option for it: the bundled worker reads this field when it
    // decides whether to run a work item now or queue it.
    (runtime as unknown as { worker: { _maxConcurrentWorkItems: number } }).worker._maxConcurrentWorkItems =
      options.maxConcurrentWorkItems;
  }
  const client = new DaprWorkflowClient(dapr);
  return {
    runtime,
    client,
    workflowName: workflow.name,
    async start(sidecarUp: () => Promise<boolean>) {
      while (!(await sidecarUp())) await Bun.sleep(200);
      await runtime.start();
    },
    async stop() {
      await runtime.stop().catch(() => {});
      await client.stop().catch(() => {});
    },
  };
}
