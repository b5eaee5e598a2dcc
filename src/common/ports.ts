import { createServer } from 'node:net';

/** Tries to listen on host:port; returns why not, or null when the port is free. */
export function bindProbe(port: number, host = '127.0.0.1'): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' ? 'address already in use' : `${err.code ?? ''} ${err.message}`.trim()));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** True when nothing listens on host:port (we could bind it). */
export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await bindProbe(port, host)) === null;
}

/**
 * A free port for a process started later. Taken below Linux's ephemeral range (32768+): a
 * port-0 pick from inside that range can be handed by the kernel to some client socket
 * before our service binds it (seen as EADDRINUSE under parallel tests).
 */
export async function pickFreePort(from = 20000, to = 32000): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port found in ${from}-${to}`);
}
