export { runCommand } from "./command.ts";
export {
  type CommonConfig,
  ConfigError,
  commonConfig,
  commonEnv,
  type DatabaseDefaults,
  databaseConfig,
  databaseEnv,
  loadDatabaseConfig,
  loadOrExit,
  parseEnv,
  type ServiceConfig,
  serviceConfig,
  serviceEnv,
} from "./env.ts";
export { quietWorkflowSdk, stopOnSignals } from "./lifecycle.ts";
export { createLogger, type Level, type Logger } from "./log.ts";
export { type Runnable, serve } from "./serve.ts";
