import { connect, type Socket } from "node:net";
import { tokenFor } from "../task-api/fixture.ts";

/**
 * A WebSocket client that completes the handshake and then stops reading, like a phone that
 * went into a tunnel: what the server sends piles up in the kernel's socket buffers, then in the
 * server's own queue. Bun's WebSocket client can't be paused, so this one speaks raw TCP.
 */
export async function stalledWebSocket(port: number, user: string) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = Buffer.alloc(0);
  let closed = false;
  socket.on("close", () => {
    closed = true;
  });
  socket.on("error", () => {});
  const handshake = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!received.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      socket.pause();
      resolve();
    };
    socket.on("data", onData);
  });
  socket.write(
    [
      "GET /realtime/ws HTTP/1.1",
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      `Authorization: Bearer ${await tokenFor(user)}`,
      "",
      "",
    ].join("\r\n"),
  );
  await handshake;
  return {
    status: received.subarray(0, received.indexOf("\r\n")).toString(),
    closed: () => closed,
    /** Start reading again; resolves with the close frame's code once the server hung up. */
    async readToEnd(): Promise<number | undefined> {
      const done = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
      });
      socket.resume();
      if (!closed) await done;
      return closeCode(received.subarray(received.indexOf("\r\n\r\n") + 4));
    },
    destroy: () => socket.destroy(),
  };
}

/** The status code of the close frame (opcode 8) among server frames (unmasked), if one came. */
function closeCode(frames: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= frames.length) {
    const opcode = (frames[at] as number) & 0x0f;
    let length = (frames[at + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      length = frames.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(frames.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (opcode === 8 && length >= 2) return frames.readUInt16BE(at + header);
    at += header + length;
  }
  return undefined;
}
