import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Options of `korrigo-lite db`. */
export interface EmbeddedDbOptions {
  host: string;
  port: number;
  dataDir: string;
  maxConnections: number;
}

/** A running embedded PostgreSQL (PGlite) reachable over the wire protocol. */
export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite persisted in dataDir, served by PGLiteSocketServer. The server runs one query at a
 * time and keeps other connections waiting while one holds a transaction open.
 */
export async function startEmbeddedDb(options: EmbeddedDbOptions): Promise<EmbeddedDb> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  const server = new PGLiteSocketServer({
    db,
    host: options.host,
    port: options.port,
    maxConnections: options.maxConnections,
  });
  await server.start();
  const port = server.getServerConn().split(':').pop();
  return {
    url: `postgres://postgres:postgres@${options.host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
