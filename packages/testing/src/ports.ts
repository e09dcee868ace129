import { createServer } from "node:net";

/** Ports this process already handed out: the OS may offer a just-closed port again. */
const handedOut = new Set<number>();

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}

/**
 * A TCP port on loopback that was free a moment ago (the OS picks it), never one this process
 * handed out before — a sidecar's gRPC port and its app's port once came out equal.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await osPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("the OS kept offering ports this test run already uses");
}
