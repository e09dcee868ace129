/** Where an app reaches its own Dapr sidecar. Parsed once by each service's config. */
export interface Sidecar {
  /** e.g. http://127.0.0.1:3500 */
  httpUrl: string;
  /** gRPC port, used by the workflow runtime and client. */
  grpcPort: number;
  /** DAPR_API_TOKEN when the sidecar requires one. */
  apiToken?: string;
}

export class DaprRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`dapr ${operation} failed with HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = "DaprRequestError";
  }
}

/** One HTTP call to the sidecar's API, with its API token; the caller judges the status. */
export function daprRequest(sidecar: Sidecar, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (sidecar.apiToken) headers.set("dapr-api-token", sidecar.apiToken);
  return fetch(`${sidecar.httpUrl}${path}`, { ...init, headers });
}

/** Like daprRequest, but non-2xx becomes a DaprRequestError carrying the sidecar's message. */
export async function daprFetch(
  sidecar: Sidecar,
  operation: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const response = await daprRequest(sidecar, path, init);
  if (!response.ok) throw new DaprRequestError(operation, response.status, await response.text());
  return response;
}

/** True once the sidecar has loaded its components and reached the app (GET /v1.0/healthz). */
export async function sidecarReady(sidecar: Sidecar): Promise<boolean> {
  try {
    const response = await fetch(`${sidecar.httpUrl}/v1.0/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.status === 204 || response.ok;
  } catch {
    return false;
  }
}
