export * from "./jobs.ts";
export * from "./publish.ts";
export * from "./sidecar.ts";
export * from "./workflow.ts";
export * from "./workflow-host.ts";
