import { createServer } from "node:net";
import { portSlice, shard } from "./shard.ts";

/**
 * Where test ports come from: below Linux's ephemeral range (32768–60999), from which the kernel
 * gives every outgoing connection of every process its local port, so a port picked there can be
 * taken between the pick and the bind (a daprd once failed "bind: address already in use" on a
 * busy machine); below Kubernetes' NodePort range (30000–32767); above the fixed ports of the
 * local stacks (Kafka's 19092 moved by a NUDGE_PORT_OFFSET up to 6000).
 */
const RANGE = { lowest: 26_000, highest: 29_999 };
/** Under NUDGE_TEST_SHARD, this process's own slice of the range (see shard.ts). */
const { lowest: LOWEST, highest: HIGHEST } = portSlice(RANGE.lowest, RANGE.highest, shard);

/** Ports this process already handed out: one must never serve two processes of a run. */
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on loopback that nothing listened on a moment ago and that no outgoing connection
 * can take meanwhile, never one this process handed out before — a sidecar's gRPC port and its
 * app's port once came out equal.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST} after 200 tries`);
}
