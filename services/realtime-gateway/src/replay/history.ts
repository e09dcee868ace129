import type { LiveMessage } from "@nudge/contracts";
import { daprFetch, type Sidecar } from "@nudge/dapr";
import type { Missed } from "../hub/session.ts";

/**
 * A user's task changes after `since`, oldest first, from audit-service's history through Dapr
 * service invocation (GET /internal/users/{userId}/live, which only our sidecars may call).
 * At most `limit`; `complete` is false when there were more.
 */
export function auditHistory(sidecar: Sidecar, auditAppId: string, limit: number) {
  return async (userId: string, since: string): Promise<Missed> => {
    const path =
      `/v1.0/invoke/${auditAppId}/method/internal/users/${encodeURIComponent(userId)}/live` +
      `?after=${since}&limit=${limit}`;
    const response = await daprFetch(sidecar, "history replay", path, {
      signal: AbortSignal.timeout(10_000),
    });
    const page = (await response.json()) as { items: LiveMessage[]; more: boolean };
    return { messages: page.items, complete: !page.more };
  };
}
