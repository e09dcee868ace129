import type { DigestContent, DigestDue, DigestRef } from "@nudge/contracts";
import { daprFetch, type Sidecar } from "@nudge/dapr";

/** task-api's digest routes, through Dapr service invocation (allowed for notification-service only). */
export function digestSource(sidecar: Sidecar, taskApiAppId: string) {
  const call = async <T>(operation: string, path: string, body: unknown): Promise<T> => {
    const response = await daprFetch(
      sidecar,
      operation,
      `/v1.0/invoke/${taskApiAppId}/method/internal/digests/${path}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      },
    );
    return (await response.json()) as T;
  };
  return {
    due: (before: Date, limit: number) =>
      call<DigestDue>("digests due", "due", { before: before.toISOString(), limit }).then((r) => r.items),
    claimed: (items: DigestRef[]) => call<{ advanced: number }>("digests claimed", "claimed", { items }),
    contents: (items: DigestRef[]) =>
      call<{ items: DigestContent[] }>("digest contents", "contents", { items }).then((r) => r.items),
  };
}

export type DigestSource = ReturnType<typeof digestSource>;
