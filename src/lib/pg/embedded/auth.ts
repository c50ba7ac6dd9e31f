import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PRIVATE_FILE_MODE } from '../../files/layout.js';
import type { ServerUser } from './server-user.js';
import { pgSql, runSql } from '../sql.js';

/**
 * Who gets into an embedded cluster. The pipeline connects over TCP on
 * 127.0.0.1 as `sales_etl`, a role without superuser rights that owns the
 * database, with a secret made for this cluster alone and kept in
 * `<cluster>/sales-etl.secret`, readable by the tool's account only. The
 * superuser has no password: it gets in only through the Unix socket, in a
 * directory only the server's account (and root) can enter, and only for the
 * accounts of the tool and the server (peer authentication). `pg_hba.conf`
 * says exactly that, rewritten at every start, so a cluster made before (the
 * superuser with a password everyone knew) is closed on its next start.
 */
export const EMBEDDED_ROLE = 'sales_etl';
export const EMBEDDED_SUPERUSER = 'postgres';
export const EMBEDDED_DATABASE = 'postgres';

const SECRET_FILE = 'sales-etl.secret';
const SECRET = /^[0-9a-f]{64}$/;
/** The longest Unix socket path PostgreSQL takes (sun_path less its NUL). */
const MAX_SOCKET_PATH = 107;
const IDENT_MAP = 'sales_etl';

/** What `startEmbeddedPg` needs to let the pipeline in. */
export interface ClusterAccess {
  /** Where the server puts its Unix socket. */
  readonly socketDir: string;
  /** The pipeline role's secret; undefined until `admitPipeline` has made one (a new or an older cluster). */
  readonly secret: string | undefined;
}

/** The pipeline's URL; it carries the secret, so it is never printed. */
export function embeddedUrl(port: number, secret: string): string {
  return `postgres://${EMBEDDED_ROLE}:${secret}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/** The cluster's secret, or undefined when it has none (yet) or the file is not one this tool wrote. */
export async function readClusterSecret(real: string): Promise<string | undefined> {
  const text = await readFile(path.join(real, SECRET_FILE), 'utf8').catch(() => '');
  return SECRET.test(text.trim()) ? text.trim() : undefined;
}

/** A double-quoted pg_hba/pg_ident token (those files have no escape for a quote). */
function token(name: string): string {
  if (/["\s]/.test(name)) {
    throw new Error(`embedded PostgreSQL: the account name ${JSON.stringify(name)} cannot go in pg_ident.conf`);
  }
  return `"${name}"`;
}

/** The access rules of every embedded cluster: pg_hba.conf and pg_ident.conf. */
function accessRules(user: ServerUser | undefined): Record<'pg_hba.conf' | 'pg_ident.conf', string> {
  const accounts = [...new Set([os.userInfo().username, user?.name ?? os.userInfo().username])];
  return {
    'pg_hba.conf': [
      '# Written by sales-etl at every start of this embedded server; edits here are replaced.',
      '# The pipeline role, over TCP on the loopback interface, with the secret in sales-etl.secret:',
      `host  all  ${EMBEDDED_ROLE}  127.0.0.1/32  scram-sha-256`,
      '# The superuser (no password) only on the Unix socket, only for the accounts in pg_ident.conf:',
      `local  all  ${EMBEDDED_SUPERUSER}  peer  map=${IDENT_MAP}`,
      '',
    ].join('\n'),
    'pg_ident.conf': [
      '# Written by sales-etl: the accounts of the tool and of the server may be the superuser on the socket.',
      ...accounts.map((account) => `${IDENT_MAP}  ${token(account)}  ${EMBEDDED_SUPERUSER}`),
      '',
    ].join('\n'),
  };
}

/** Replace `file` by `text` when it says something else; the server's account must read it. */
async function writeWhenChanged(file: string, text: string, user: ServerUser | undefined): Promise<void> {
  if ((await readFile(file, 'utf8').catch(() => undefined)) === text) return;
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: PRIVATE_FILE_MODE });
    if (user) await chown(temp, user.uid, user.gid);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * A directory for the server's Unix socket that only the server's account
 * (and root) can enter: the cluster directory itself (PostgreSQL keeps it
 * 0700), or, when its path is too long for a socket, `<tmp>/sales-etl-pg-<uid>`,
 * made 0700 for that account and refused when someone else made it.
 */
async function socketDirectory(real: string, user: ServerUser | undefined): Promise<string> {
  if (Buffer.byteLength(path.join(real, '.s.PGSQL.65535')) <= MAX_SOCKET_PATH && !/[",]/.test(real)) return real;
  const uid = user?.uid ?? process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `sales-etl-pg-${uid}`);
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  if (user) await chown(dir, user.uid, user.gid).catch(() => undefined);
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) {
    throw new Error(`embedded PostgreSQL: ${dir}, for the server's socket, is not a directory for uid ${uid} alone`);
  }
  if (Buffer.byteLength(path.join(dir, '.s.PGSQL.65535')) > MAX_SOCKET_PATH) {
    throw new Error(`embedded PostgreSQL: ${dir} is too long a path for the server's socket: set TMPDIR shorter`);
  }
  return dir;
}

/** Write the access rules and find the socket directory, before the server starts. */
export async function prepareAccess(real: string, user: ServerUser | undefined): Promise<ClusterAccess> {
  for (const [name, text] of Object.entries(accessRules(user))) {
    await writeWhenChanged(path.join(real, name), text, user);
  }
  return { socketDir: await socketDirectory(real, user), secret: await readClusterSecret(real) };
}

/** The server options that go with the access rules. */
export function accessSettings(access: ClusterAccess): string[] {
  return [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories="${access.socketDir}"`,
    'unix_socket_permissions=0700',
    'password_encryption=scram-sha-256',
  ];
}

/**
 * A SCRAM-SHA-256 verifier of `secret` (RFC 7677, as PostgreSQL stores it), so
 * the secret itself never reaches the server, its log, or a statement.
 */
export function scramVerifier(secret: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(secret, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

/**
 * Make the cluster's secret and let the pipeline role in with it, as the
 * superuser on the socket (`sql/pg/embedded-roles.sql`: the role, the
 * database's and the older tables' ownership, no superuser password). The
 * secret file is written last: a run killed before that does it again with a
 * new secret. Returns the secret.
 */
export async function admitPipeline(real: string, access: ClusterAccess, port: number): Promise<string> {
  if (access.secret) return access.secret;
  const secret = randomBytes(32).toString('hex');
  const client = new pg.Client({ host: access.socketDir, port, user: EMBEDDED_SUPERUSER, database: EMBEDDED_DATABASE });
  // A backend that goes between queries (a stop signal to the server) is reported by the query in flight.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query((await pgSql('embedded-verifier.sql')).text, [scramVerifier(secret)]);
    await runSql(client, await pgSql('embedded-roles.sql'));
  } catch (error) {
    throw new Error(`cannot set up the role ${EMBEDDED_ROLE} on the socket in ${access.socketDir}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  const file = path.join(real, SECRET_FILE);
  await writeWhenChanged(file, `${secret}\n`, undefined);
  return secret;
}
