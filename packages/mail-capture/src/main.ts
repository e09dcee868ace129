import { startMailCapture } from "./capture.ts";

// The only place that reads the environment: the library itself takes options.
const port = Number(process.env.PORT ?? 4010);
const hostname = process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  throw new Error(`PORT must be a TCP port number, got ${JSON.stringify(process.env.PORT)}`);
}

const capture = await startMailCapture({ port, hostname });
console.log(
  `mail capture: inbox at ${capture.url}/ (point the SDK at it with RESEND_BASE_URL=${capture.url})`,
);
