export { runCommand } from "./command.ts";
export {
  ConfigError,
  commonConfig,
  commonEnv,
  loadOrExit,
  parseEnv,
  serviceConfig,
  serviceEnv,
} from "./env.ts";
export { quietWorkflowSdk, stopOnSignals } from "./lifecycle.ts";
export { createLogger, type Level, type Logger } from "./log.ts";
