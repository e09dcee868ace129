/**
 * The load: users with email addresses, one task per reminder, and the reminders themselves,
 * all through task-api's public HTTP API, `concurrency` requests in flight.
 */
import { inParallel } from "../../../tests/notification-service/fixture.ts";
import { tokenFor } from "../../../tests/task-api/fixture.ts";

export interface BenchUser {
  id: string;
  email: string;
  /** Signed once: the load should cost what a client's requests cost, not JWT signing. */
  authorization: string;
}

export interface BenchTask {
  id: string;
  user: BenchUser;
  /** Unique per task, so every email is told apart by recipient + subject. */
  title: string;
}

/** task-api's public HTTP API, as the load uses it. */
export interface Api {
  request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown },
  ): Promise<{ status: number; body: unknown; text: string }>;
}

async function expectStatus(
  api: Api,
  expected: number,
  method: string,
  path: string,
  user: BenchUser,
  body: unknown,
) {
  const response = await api.request(method, path, { headers: { authorization: user.authorization }, body });
  if (response.status !== expected) {
    throw new Error(`${method} ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.body as { id: string };
}

export async function createUsers(api: Api, count: number, concurrency: number, runId: string) {
  return inParallel(count, concurrency, async (i): Promise<BenchUser> => {
    const id = `bench-${runId}-user-${i + 1}`;
    const user = {
      id,
      email: `${id}@example.com`,
      authorization: `Bearer ${await tokenFor(id, { expiresIn: "2h" })}`,
    };
    await expectStatus(api, 200, "PATCH", "/me/preferences", user, {
      email: user.email,
      timeZone: "Europe/Berlin",
    });
    return user;
  });
}

/** Task i belongs to user i mod users.length, so every user gets about the same number. */
export async function createTasks(
  api: Api,
  users: BenchUser[],
  count: number,
  concurrency: number,
  runId: string,
) {
  const dueAt = new Date(Date.now() + 86_400_000).toISOString();
  return inParallel(count, concurrency, async (i): Promise<BenchTask> => {
    const user = users[i % users.length] as BenchUser;
    const title = `Bench reminder ${i + 1} (${runId})`;
    const task = await expectStatus(api, 201, "POST", "/tasks", user, { title, priority: "medium", dueAt });
    return { id: task.id, user, title };
  });
}

/**
 * POST /tasks/{id}/reminders {at: instants[i]} for task i, in instant order (the earliest are
 * created first). Returns, per reminder, how far ahead of its instant its creation was answered.
 */
export async function createReminders(api: Api, tasks: BenchTask[], instants: number[], concurrency: number) {
  return inParallel(tasks.length, concurrency, async (i) => {
    const task = tasks[i] as BenchTask;
    const at = instants[i] as number;
    await expectStatus(api, 201, "POST", `/tasks/${task.id}/reminders`, task.user, {
      at: new Date(at).toISOString(),
    });
    return at - Date.now();
  });
}
