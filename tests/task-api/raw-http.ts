/**
 * One HTTP/1.1 exchange over a raw TCP socket, for what fetch refuses to send (conflicting
 * framing, unknown methods, oversized headers). `status` is 0 when the server closed the
 * connection without answering.
 */
export async function rawRequest(
  baseUrl: string,
  head: string,
  chunks: string[] = [],
): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(baseUrl);
  let received = "";
  const done = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_socket, data) {
        received += data.toString("latin1");
        if (received.includes("\r\n\r\n")) done.resolve();
      },
      close() {
        done.resolve();
      },
      error() {
        done.resolve();
      },
    },
  });
  // Latin-1, byte for byte: what HTTP headers are on the wire.
  socket.write(Buffer.from(head, "latin1"));
  for (const chunk of chunks) socket.write(Buffer.from(chunk, "latin1"));
  const timer = setTimeout(() => done.resolve(), 5000);
  await done.promise;
  clearTimeout(timer);
  socket.end();
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  return { status: match ? Number(match[1]) : 0, head: received.split("\r\n\r\n")[0] ?? "" };
}
