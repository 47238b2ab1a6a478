import { connect } from "node:net";

export interface RawAnswer {
  /** The status of the first response line, or undefined when the server closed without one. */
  status: number | undefined;
  /** Everything after the response headers, as text (chunk markers included). */
  body: string;
  ms: number;
  /** The server never answered nor closed within the bound. */
  timedOut: boolean;
}

/**
 * Writes `parts` to a fresh connection as they are (a part that is a function is called to decide
 * whether to go on: a test can stream a body), and reads until the server closes. Bounded by
 * `timeoutMs`; write errors (the server closing on a body it refused) are expected, not failures.
 */
export function rawRequest(port: number, parts: Array<string | Buffer>, timeoutMs: number): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect(port, "127.0.0.1");
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const headerEnd = text.indexOf("\r\n\r\n");
      resolve({
        status: match ? Number(match[1]) : undefined,
        body: headerEnd >= 0 ? text.slice(headerEnd + 4) : text,
        ms: performance.now() - started,
        timedOut,
      });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is all a case needs: a complete response ends it even on a kept-alive connection.
      if (isCompleteResponse(Buffer.concat(chunks).toString("latin1"))) finish(false);
    });
    socket.on("close", () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => {
      void (async () => {
        for (const part of parts) {
          if (settled || socket.destroyed) return;
          if (!socket.write(part)) await new Promise((resolve) => socket.once("drain", resolve));
        }
      })().catch(() => undefined);
    });
  });
}

function isCompleteResponse(text: string): boolean {
  const headerEnd = text.indexOf("\r\n\r\n");
  if (headerEnd < 0) return false;
  const head = text.slice(0, headerEnd).toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return text.length - headerEnd - 4 >= Number(length[1]);
  if (head.includes("transfer-encoding: chunked")) return text.endsWith("0\r\n\r\n");
  return false;
}
