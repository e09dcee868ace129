export { type ConnectOptions, connect, connectService, type Sql } from "./connect.ts";
export { type Migration, migrate, readMigrations } from "./migrate.ts";
export { serviceMigrations } from "./service-migrations.ts";
