export * from "./common.ts";
export * from "./events.ts";
export * from "./internal.ts";
export * from "./preferences.ts";
export * from "./reminders.ts";
export * from "./series.ts";
export * from "./tags.ts";
export * from "./tasks.ts";
