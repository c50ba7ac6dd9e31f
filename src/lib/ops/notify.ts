import os from 'node:os';
import { describeError, redact } from '../core/errors.js';
import { InterruptedError, type StopSignal } from '../core/interrupt.js';
import type { Logger } from '../ui/logger.js';

/** What a failure notification says (also the webhook's JSON body). */
export interface Failure {
  /** The weeks that did not finish, e.g. `["2024-W20"]` (a backfill may name several). */
  week: string[];
  /** The stage that failed (of the first week), e.g. `load-pg`. */
  stage: string;
  /** When a stop signal ended the run, e.g. `SIGTERM`. */
  signal?: StopSignal;
  /** One line, passwords redacted. */
  error: string;
  host: string;
  /** ISO date-time of the failure. */
  at: string;
}

/** Where notifications go, from the environment (SPEC 8). */
export interface NotifyConfig {
  telegram?: { token: string; chatId: string; apiUrl: string } | undefined;
  webhookUrl?: string | undefined;
  /** Time-out of each request, milliseconds. */
  timeoutMs: number;
}

/** One attempt to notify, for logs and the JSON summary. */
export interface NotifyOutcome {
  channel: 'telegram' | 'webhook';
  ok: boolean;
  error?: string;
}

const set = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The notifiers configured by TELEGRAM_BOT_TOKEN + TELEGRAM_CHAT_ID (+ TELEGRAM_API_URL) and NOTIFY_WEBHOOK_URL. */
export function notifyConfig(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000): NotifyConfig {
  const token = set(env.TELEGRAM_BOT_TOKEN);
  const chatId = set(env.TELEGRAM_CHAT_ID);
  const apiUrl = (set(env.TELEGRAM_API_URL) ?? 'https://api.telegram.org').replace(/\/+$/, '');
  return {
    telegram: token && chatId ? { token, chatId, apiUrl } : undefined,
    webhookUrl: set(env.NOTIFY_WEBHOOK_URL),
    timeoutMs,
  };
}

/** A failure as of now on this host, its error as one redacted line. */
export function failureOf(weeks: string[], stage: string, error: unknown): Failure {
  const signal = error instanceof InterruptedError ? { signal: error.signal } : {};
  const at = new Date().toISOString();
  return { week: weeks, stage, ...signal, error: describeError(error, false), host: os.hostname(), at };
}

/** The Telegram message text. */
export function telegramText(failure: Failure): string {
  return [
    failure.signal ? `sales-etl interrupted by ${failure.signal}` : 'sales-etl failed',
    `${failure.week.length === 1 ? 'week' : 'weeks'}: ${failure.week.join(', ')}`,
    `stage: ${failure.stage}`,
    `error: ${failure.error}`,
    `host: ${failure.host}`,
    `at: ${failure.at}`,
  ].join('\n');
}

/** Whether any notifier took the failure (false when none is configured). */
export function notified(outcomes: NotifyOutcome[]): boolean {
  return outcomes.some((o) => o.ok);
}

/**
 * A notifier URL as logs show it: scheme and host only. The path and query are where webhook
 * secrets live (Slack's `/services/T000/B000/<secret>`, `?token=`, Telegram's `/bot<token>/`).
 */
export function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'a URL that does not parse';
  }
}

/**
 * The request for a notifier URL. Node's fetch refuses a URL with `user:pass@`, so such
 * credentials travel as an `Authorization: Basic` header instead (as curl sends them).
 */
export function requestOf(url: string): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers }; // fetch explains what is wrong with it
  }
  if (parsed.username === '' && parsed.password === '') return { url, headers };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, headers };
}

async function post(target: string, body: unknown, timeoutMs: number): Promise<void> {
  const { url, headers } = requestOf(target);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
    throw new Error(`HTTP ${response.status}${text ? ` ${text}` : ''}`);
  }
}

/**
 * Send a failure to every configured notifier, each with a time-out. A notifier
 * that fails is logged by scheme and host only (no path, query or token) and otherwise ignored, so
 * the caller's own error and exit code stay what they were.
 */
export async function notifyFailure(
  failure: Failure,
  log: Logger,
  config: NotifyConfig = notifyConfig(),
): Promise<NotifyOutcome[]> {
  const tasks: Array<Promise<NotifyOutcome>> = [];
  // An error's own text may quote a whole URL (`Failed to parse URL from ...`): cut each to its endpoint.
  const urls = [config.webhookUrl, config.telegram?.apiUrl].filter((u): u is string => u !== undefined);
  const secrets = [...urls.flatMap((u) => [u, requestOf(u).url]), config.telegram?.token].filter(
    (u): u is string => u !== undefined && u !== '',
  );
  const shown = (secret: string) => (secret.includes('://') ? endpointOf(secret) : '***');
  const hide = (text: string) => redact(secrets.reduce((t, secret) => t.split(secret).join(shown(secret)), text));
  const attempt = async (channel: NotifyOutcome['channel'], target: string, send: () => Promise<void>) => {
    try {
      await send();
      log.info(`notified ${channel} of the failure of ${failure.stage} (${failure.week.join(', ')})`);
      return { channel, ok: true };
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${config.timeoutMs / 1000}s`
          : describeError(error);
      const message = hide(`${channel} notification to ${target} failed: ${reason}`);
      log.warn(message);
      return { channel, ok: false, error: message };
    }
  };
  const telegram = config.telegram;
  if (telegram) {
    tasks.push(
      attempt('telegram', endpointOf(telegram.apiUrl), () =>
        post(
          `${telegram.apiUrl}/bot${telegram.token}/sendMessage`,
          { chat_id: telegram.chatId, text: telegramText(failure) },
          config.timeoutMs,
        ),
      ),
    );
  }
  const webhook = config.webhookUrl;
  if (webhook) tasks.push(attempt('webhook', endpointOf(webhook), () => post(webhook, failure, config.timeoutMs)));
  return Promise.all(tasks);
}
