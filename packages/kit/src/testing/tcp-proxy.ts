import net from "node:net";

/** A TCP proxy in front of a real service that a test can cut, restore and stall. */
export interface TcpProxy {
  /** `targetUrl` with its host and port pointed at the proxy. */
  url: string;
  /** Stops listening and cuts every connection, as a crash of the service would. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /** Holds the service's replies back (a service that stops answering) until `resume`. */
  stall(): void;
  resume(): void;
  /** Closes it if it is still open: for `afterEach`. */
  dispose(): Promise<void>;
}

/** Starts a proxy on a free loopback port in front of the service at `targetUrl` (e.g. Redis). */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const held: Array<() => void> = [];
  let stalled = false;
  let server: net.Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("error", () => {});
          socket.on("close", () => sockets.delete(socket));
        }
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.pipe(upstream);
        upstream.on("data", (chunk) => (stalled ? held.push(() => client.write(chunk)) : client.write(chunk)));
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server!.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const proxy: TcpProxy = {
    url: url.href,
    async close() {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async reopen() {
      await listen(port);
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const release of held.splice(0)) release();
    },
    async dispose() {
      if (server?.listening) await proxy.close();
    },
  };
  return proxy;
}
