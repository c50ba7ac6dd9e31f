import { UsageError } from '../core/errors.js';

/** Where a ClickHouse server is and who we are to it, resolved from the URL and the environment. */
export interface ClickHouseServer {
  /** The URL without credentials (host, port, optional database path and settings). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** For messages: the URL with the user shown and the password hidden. */
  readonly target: string;
}

/**
 * Resolve `--clickhouse-url`/`CLICKHOUSE_URL` (http or https). Credentials come
 * from the URL, else from `CLICKHOUSE_USER`/`CLICKHOUSE_PASSWORD`, else the
 * server's `default` user with no password. A URL that is not http(s) is a
 * usage error whose message never shows the password.
 */
export function resolveClickHouseServer(
  rawUrl: string,
  env: { user?: string | undefined; password?: string | undefined } = {},
): ClickHouseServer {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch (cause) {
    throw new UsageError(
      `bad ClickHouse URL ${JSON.stringify(hidePassword(rawUrl))}: expected http[s]://[user[:password]@]host:port`,
      {
        cause,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `bad ClickHouse URL ${hidePassword(rawUrl)}: ` +
        `the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  const username = url.username !== '' ? decodeURIComponent(url.username) : (env.user ?? 'default');
  const password = url.password !== '' ? decodeURIComponent(url.password) : (env.password ?? '');
  url.username = '';
  url.password = '';
  const bare = url.toString().replace(/\/$/, '');
  const shown = new URL(bare);
  shown.username = encodeURIComponent(username);
  if (password !== '') shown.password = '***';
  return { url: bare, username, password, target: `ClickHouse at ${shown.toString().replace(/\/$/, '')}` };
}

/** A URL-ish text with whatever sits between `user:` and `@` replaced by `***`. */
function hidePassword(text: string): string {
  return text.replace(/^([^/]*\/\/[^/@:]*:)[^@/]*@/, '$1***@');
}
