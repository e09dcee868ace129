/**
 * The test cluster that `./nudge cluster test` starts and describes in its environment
 * (`./nudge cluster env`): kubectl against it, the addresses of its Services, tokens its
 * task-api accepts. Requests go to Service addresses — kube-proxy, then the pods, as an
 * ingress controller would send them — never around the sidecars to a database or broker.
 */
import { SignJWT } from "jose";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: tests/cluster run against the test cluster, with ./nudge cluster test (or export the lines of ./nudge cluster env after ./nudge cluster up)`,
    );
  }
  return value;
}

const kubectlPath = required("NUDGE_CLUSTER_KUBECTL");
const kubeconfig = required("KUBECONFIG");
export const overlay = process.env.NUDGE_CLUSTER_OVERLAY ?? "kustomize/ci";
export const repoRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl; a non-zero exit throws with its output unless `allowFailure`. */
export async function kubectl(
  args: string[],
  {
    input,
    allowFailure = false,
    cwd = repoRoot,
  }: { input?: string; allowFailure?: boolean; cwd?: string } = {},
): Promise<Run> {
  const proc = Bun.spawn([kubectlPath, ...args], {
    cwd,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdin: input === undefined ? "ignore" : new Blob([input]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0 && !allowFailure) {
    throw new Error(`kubectl ${args.join(" ")} exited ${code}: ${stderr.trim() || stdout.trim()}`);
  }
  return { code, stdout, stderr };
}

export async function kubectlJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse((await kubectl([...args, "-o", "json"])).stdout) as T;
}

/** `http://<cluster IP>:<port>` of a Service in the nudge namespace. */
export async function serviceUrl(name: string): Promise<string> {
  const svc = await kubectlJson<{ spec: { clusterIP: string; ports: Array<{ port: number }> } }>([
    "-n",
    "nudge",
    "get",
    "service",
    name,
  ]);
  return `http://${svc.spec.clusterIP}:${svc.spec.ports[0]?.port}`;
}

async function secretValue(name: string, key: string): Promise<string> {
  const secret = await kubectlJson<{ data: Record<string, string> }>(["-n", "nudge", "get", "secret", name]);
  const value = secret.data[key];
  if (!value) throw new Error(`secret ${name} has no ${key}`);
  return Buffer.from(value, "base64").toString();
}

/** A token task-api verifies with what the overlay configured (its Secret and ConfigMap). */
export async function tokenFor(user: string): Promise<string> {
  const config = await kubectlJson<{ data: Record<string, string> }>([
    "-n",
    "nudge",
    "get",
    "configmap",
    "task-api",
  ]);
  const secret = await secretValue("nudge-task-api", "JWT_SECRET");
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setIssuer(config.data.JWT_ISSUER ?? "")
    .setAudience(config.data.JWT_AUDIENCE ?? "")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(secret));
}

/** A REST client as one user, through task-api's and audit-service's Services. */
export async function clientFor(user: string) {
  const [token, taskApi, auditService] = await Promise.all([
    tokenFor(user),
    serviceUrl("task-api"),
    serviceUrl("audit-service"),
  ]);
  const send = async (base: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    user,
    api: (method: string, path: string, body?: unknown) => send(taskApi, method, path, body),
    history: (path: string) => send(auditService, "GET", `/history${path}`),
  };
}
export type Client = Awaited<ReturnType<typeof clientFor>>;

export interface CapturedEmail {
  id: string;
  to: string | string[];
  subject: string;
  receivedAt: number;
  idempotencyKey: string | null;
}

/** What the in-cluster capture inbox holds for one address. */
export async function emailsTo(address: string): Promise<CapturedEmail[]> {
  const response = await fetch(`${await serviceUrl("mail-capture")}/emails`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`mail-capture answered ${response.status}`);
  const all = (await response.json()) as CapturedEmail[];
  return all.filter((email) => [email.to].flat().includes(address));
}

/** A fresh user with a reminder address only it receives at. */
export async function newUser(label: string): Promise<Client & { email: string }> {
  const id = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  const client = await clientFor(id);
  const email = `${id}@example.com`;
  const set = await client.api("PATCH", "/me/preferences", { email });
  if (set.status !== 200)
    throw new Error(`PATCH /me/preferences answered ${set.status}: ${JSON.stringify(set.body)}`);
  return { ...client, email };
}

/** Pods of an app, by its app.kubernetes.io/name label. */
export async function podsOf(app: string) {
  const list = await kubectlJson<{
    items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { phase: string } }>;
  }>(["-n", "nudge", "get", "pods", "-l", `app.kubernetes.io/name=${app}`]);
  return list.items;
}

/** Every Deployment in the namespace rolled out (new pods Ready, old ones gone). */
export async function rolledOut(deployments: string[], timeoutSeconds = 240) {
  for (const deployment of deployments) {
    await kubectl([
      "-n",
      "nudge",
      "rollout",
      "status",
      `deployment/${deployment}`,
      `--timeout=${timeoutSeconds}s`,
    ]);
  }
}

export const DEPLOYMENTS = [
  "task-api",
  "notification-service",
  "recurrence-service",
  "audit-service",
  "realtime-gateway",
] as const;

/**
 * `kubectl port-forward` to one port of a pod (through the API server and the kubelet, into
 * the pod's network namespace), on a free loopback port; `stop` ends it.
 */
export async function portForward(pod: string, port: number) {
  const proc = Bun.spawn([kubectlPath, "-n", "nudge", "port-forward", `pod/${pod}`, `:${port}`], {
    cwd: repoRoot,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdout: "pipe",
    stderr: "pipe",
  });
  // Read to the end, so the pipe never fills; the first line names the local port.
  let seen = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stdout) seen += decoder.decode(chunk);
  })();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    const local = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
    if (local) return { url: `http://127.0.0.1:${local}`, stop: () => proc.kill() };
    await Bun.sleep(100);
  }
  proc.kill();
  const stderr = await new Response(proc.stderr).text();
  throw new Error(`kubectl port-forward pod/${pod} :${port} did not start: ${(seen + stderr).trim()}`);
}

/** The name of one running (not terminating) pod of an app. */
export async function runningPodOf(app: string): Promise<string> {
  const pod = (await podsOf(app)).find((p) => p.status.phase === "Running" && !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`no running pod of ${app}`);
  return pod.metadata.name;
}
