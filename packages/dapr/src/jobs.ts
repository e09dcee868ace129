import { DaprRequestError, daprFetch, daprRequest, type Sidecar } from "./sidecar.ts";

/**
 * Typed client for the Dapr Jobs API (v1.0, HTTP). @dapr/dapr 3.18 has none.
 * A job belongs to the app-id whose sidecar scheduled it; the trigger arrives at that app
 * as `POST /job/<name>` with the job's data as the body.
 */
export type JobFailurePolicy =
  | { drop: Record<string, never> }
  | { constant: { interval: string; maxRetries?: number } };

export interface JobSpec<Data> {
  /** RFC 3339 instant (with offset) or a Go duration such as "2s"; one-shot when no schedule. */
  dueTime?: string;
  /** Cron (6 fields, seconds first) or "@every 1m". */
  schedule?: string;
  repeats?: number;
  ttl?: string;
  data?: Data;
  /** Replace an existing job of the same name instead of failing. */
  overwrite?: boolean;
  failurePolicy?: JobFailurePolicy;
}

export interface ScheduledJob<Data> extends JobSpec<Data> {
  name: string;
}

/** Job names travel in a URL path; keep them to a safe alphabet so no encoding games are needed. */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function jobPath(name: string): string {
  if (!JOB_NAME.test(name)) throw new RangeError(`invalid job name ${JSON.stringify(name)}`);
  return `/v1.0/jobs/${name}`;
}

// The sidecar reports an unknown job as 404 or, depending on the path taken, as a 500 whose
// message says "not found"; both mean the same to callers.
function isMissingJob(response: Response, body: string): boolean {
  return response.status === 404 || (!response.ok && /not found/i.test(body));
}

export function jobsClient(sidecar: Sidecar) {
  return {
    async schedule<Data>(name: string, spec: JobSpec<Data>): Promise<void> {
      if (!spec.dueTime && !spec.schedule) throw new RangeError("a job needs a dueTime or a schedule");
      await daprFetch(sidecar, "schedule job", jobPath(name), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(spec),
      });
    },

    /** The job, or undefined when no job of that name exists (any more). */
    async get<Data>(name: string): Promise<ScheduledJob<Data> | undefined> {
      const response = await daprRequest(sidecar, jobPath(name));
      const body = await response.text();
      if (isMissingJob(response, body)) return undefined;
      if (!response.ok) throw new DaprRequestError("get job", response.status, body);
      return body ? (JSON.parse(body) as ScheduledJob<Data>) : undefined;
    },

    /** Deleting a job that does not exist is not an error: cancellation is idempotent. */
    async delete(name: string): Promise<void> {
      const response = await daprRequest(sidecar, jobPath(name), { method: "DELETE" });
      const body = await response.text();
      if (response.ok || isMissingJob(response, body)) return;
      throw new DaprRequestError("delete job", response.status, body);
    },
  };
}

export type JobsClient = ReturnType<typeof jobsClient>;

/**
 * Schedule a job once the sidecar answers, trying again every second until the scheduler takes
 * it (each failure a warning naming `job`): a service's cron jobs are scheduled at start, when its
 * sidecar may still be coming up.
 */
export async function scheduleWhenReady(
  sidecarUp: () => Promise<boolean>,
  job: string,
  schedule: () => Promise<void>,
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
): Promise<void> {
  for (;;) {
    if (await sidecarUp()) {
      try {
        return await schedule();
      } catch (error) {
        log.warn(`scheduling the ${job} failed; retrying`, { error: String(error) });
      }
    }
    await Bun.sleep(1000);
  }
}

/**
 * A service's clean-up cron job: one per app-id (jobs belong to the app that scheduled them),
 * overwritten at every start so a changed schedule takes effect; every replica scheduling it is
 * harmless. Dapr 1.18 cannot trigger or print a job without data, so it carries its `purpose`.
 * A missed run is caught up by the next one; a trigger is retried briefly while the app restarts.
 */
export async function scheduleCleanupJob(
  jobs: JobsClient,
  name: string,
  schedule: string,
  purpose: string,
): Promise<void> {
  await jobs.schedule(name, {
    schedule,
    data: { purpose },
    overwrite: true,
    failurePolicy: { constant: { interval: "30s", maxRetries: 10 } },
  });
}
