import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { holdResource } from '../../core/interrupt.js';
import type { Logger } from '../../ui/logger.js';
import { accessSettings, admitPipeline, embeddedUrl, prepareAccess, type ClusterAccess } from './auth.js';
import { serverBinaries, type PgBinaries } from './binaries.js';
import { placeCluster, readyCluster } from './cluster.js';
import { startOnFreePort } from './port.js';
import { spawnPostgres, stopServer } from './process.js';
import { ServerLog } from './server-log.js';
import { serverUser, type ServerUser } from './server-user.js';

/** Where an embedded cluster lives and what it says. */
export interface EmbeddedPgOptions {
  /** The cluster's data directory, `<data-dir>/pg`. */
  dir: string;
  /** Where the server's own log goes (appended). */
  logFile: string;
  log: Logger;
  /** How the directory is named in messages, e.g. `data/pg`. */
  label?: string;
}

/** A running embedded cluster. */
export interface EmbeddedPg {
  readonly port: number;
  /** The pipeline role's URL on 127.0.0.1; it carries the cluster's secret, so it is never printed. */
  readonly url: string;
  readonly dir: string;
  /** The directory of the server's Unix socket (the superuser's only way in). */
  readonly socketDir: string;
  /** Stop the server (fast shutdown); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Start the embedded cluster in `dir` (initialising it the first time) on a
 * free loopback port. The server is held as a resource of src/lib/core/interrupt.ts
 * until `stop()`: it is stopped however the process ends.
 */
export async function startEmbeddedPg(options: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const dir = path.resolve(options.dir);
  const label = options.label ?? dir;
  const { log } = options;
  // PostgreSQL refuses to run as root: then it runs as the `postgres` system user.
  const user = process.getuid?.() === 0 ? await serverUser(log) : undefined;
  const bin = await serverBinaries(user, log);
  const real = await placeCluster(dir, label, user, log);
  const cluster: Cluster = { real, label, bin, user, log, serverLog: await ServerLog.open(options.logFile, log) };
  const access = await initialise(cluster);
  const { child, port } = await start(cluster, access);
  log.debug(`embedded PostgreSQL: started in ${label} on 127.0.0.1:${port} (pid ${child.pid})`);
  const stop = supervise(child, cluster);

  let secret: string;
  try {
    secret = await admitPipeline(real, access, port);
  } catch (error) {
    await stop();
    const message = `embedded PostgreSQL in ${label} did not let the pipeline in (see ${options.logFile})`;
    throw new Error(message, { cause: error });
  }
  return { port, dir, socketDir: access.socketDir, url: embeddedUrl(port, secret), stop };
}

/** A cluster being started: where it is, how it is named, the programs and user that run it, and its log. */
interface Cluster {
  readonly real: string;
  readonly label: string;
  readonly bin: PgBinaries;
  readonly user: ServerUser | undefined;
  readonly log: Logger;
  readonly serverLog: ServerLog;
}

/** initdb or recovery, then the access files; a failure closes the log and names it. */
async function initialise(cluster: Cluster): Promise<ClusterAccess> {
  const { real, label, bin, user, log, serverLog } = cluster;
  try {
    await readyCluster(real, label, bin, user, log, serverLog.write);
    return await prepareAccess(real, user);
  } catch (error) {
    await serverLog.close();
    const reason = error instanceof Error ? `: ${error.message}` : '';
    const message = `embedded PostgreSQL: cannot initialise ${label}${reason} (see ${serverLog.file})`;
    throw new Error(message, { cause: error });
  }
}

/** The server, ready on its port; a server that did not start is one error with its last FATAL line. */
async function start(cluster: Cluster, access: ClusterAccess): Promise<{ child: ChildProcess; port: number }> {
  const { real, label, bin, user, log, serverLog } = cluster;
  // A server still starting is ours to stop too, if the process ends before it is handed over.
  let starting: ChildProcess | undefined;
  const unholdStarting = holdResource({
    stop: async () => void starting?.kill('SIGINT'),
    stopSync: () => void starting?.kill('SIGINT'),
  });
  const spawnOn = (port: number) => {
    const server = spawnPostgres(bin, real, port, accessSettings(access), user, serverLog.write);
    starting = server.child;
    return server;
  };
  const started = await startOnFreePort(spawnOn, serverLog, log);
  unholdStarting();
  if (started.ok) return started;
  await serverLog.close();
  const { error } = started;
  const fatal = serverLog
    .recentLines()
    .filter((line) => /FATAL|ERROR|PANIC/.test(line))
    .at(-1);
  const reason = fatal ?? (error instanceof Error ? error.message : '');
  const message = `embedded PostgreSQL in ${label} did not start${reason ? `: ${reason}` : ''}`;
  throw new Error(`${message} (see ${serverLog.file})`, { cause: error });
}

/**
 * Hold a running server until its `stop` (returned; the second call waits
 * for the first). A process that exits without stopping us (a second Ctrl-C,
 * process.exit) must not leave the server behind: fast shutdown, which the
 * server, in its own process group, finishes after we are gone.
 */
function supervise(child: ChildProcess, { label, serverLog, log }: Cluster): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unhold();
      await stopServer(child, log);
      await serverLog.close();
      log.debug(`embedded PostgreSQL: stopped (${label})`);
    })();
    return stopping;
  };
  const unhold = holdResource({
    stop,
    stopSync: () => {
      if (child.exitCode === null) child.kill('SIGINT');
    },
  });
  return stop;
}
