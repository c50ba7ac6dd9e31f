import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { silentLogger, type Logger } from '../../../src/lib/ui/logger.js';
import { InterruptedError } from '../../../src/lib/core/interrupt.js';
import { failureOf, notifyConfig, notifyFailure, telegramText } from '../../../src/lib/ops/notify.js';
import { startHttpSink } from '../../helpers/http-sink.js';

const TOKEN = '123456:SECRET-bot-token';

function recordingLogger(lines: string[]): Logger {
  return { ...silentLogger(), warn: (m) => lines.push(`warn ${m}`), info: (m) => lines.push(`info ${m}`) };
}

test('nothing configured: nothing sent', async () => {
  const config = notifyConfig({});
  assert.equal(config.telegram, undefined);
  assert.equal(config.webhookUrl, undefined);
  assert.deepEqual(await notifyFailure(failureOf(['2024-W20'], 'clean', new Error('x')), silentLogger(), config), []);
});

test('Telegram needs both the token and the chat id', () => {
  assert.equal(notifyConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).telegram, undefined);
  assert.equal(
    notifyConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '42' }).telegram?.apiUrl,
    'https://api.telegram.org',
  );
});

test('a failure goes to Telegram (sendMessage) and to the webhook as JSON', async () => {
  const sink = await startHttpSink();
  try {
    const config = notifyConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: '-100777',
      TELEGRAM_API_URL: `${sink.url}/tg/`,
      NOTIFY_WEBHOOK_URL: `${sink.url}/hook`,
    });
    const error = new Error('load-pg: cannot connect to PostgreSQL at postgres://u:***@127.0.0.1:1/x', {
      cause: new Error('connect ECONNREFUSED postgres://u:secret@127.0.0.1:1/x'),
    });
    const lines: string[] = [];
    const outcomes = await notifyFailure(failureOf(['2024-W20'], 'load-pg', error), recordingLogger(lines), config);
    assert.deepEqual(
      outcomes.map((o) => [o.channel, o.ok]),
      [
        ['telegram', true],
        ['webhook', true],
      ],
    );
    const tg = sink.received.find((r) => r.url.startsWith('/tg/'))!;
    assert.equal(tg.method, 'POST');
    assert.equal(tg.url, `/tg/bot${TOKEN}/sendMessage`);
    const tgBody = tg.json as { chat_id: string; text: string };
    assert.equal(tgBody.chat_id, '-100777');
    assert.match(tgBody.text, /week: 2024-W20/);
    assert.match(tgBody.text, /stage: load-pg/);
    assert.match(tgBody.text, /ECONNREFUSED/);
    const hook = sink.received.find((r) => r.url === '/hook')!;
    const body = hook.json as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['at', 'error', 'host', 'stage', 'week']);
    assert.deepEqual(body.week, ['2024-W20']);
    assert.equal(body.stage, 'load-pg');
    assert.equal(body.host, os.hostname());
    assert.ok(!Number.isNaN(Date.parse(body.at!)));
    assert.match(body.error!, /cannot connect to PostgreSQL/);
    for (const r of sink.received) assert.doesNotMatch(r.body, /secret@/);
  } finally {
    await sink.close();
  }
});

test('an interruption names its signal; several weeks are a list, and the Telegram text says weeks', () => {
  const stop = new InterruptedError('SIGTERM', 'load-pg of 2024-W02');
  const failure = failureOf(['2024-W02', '2024-W03'], 'load-pg', stop);
  assert.deepEqual(failure.week, ['2024-W02', '2024-W03']);
  assert.equal(failure.signal, 'SIGTERM');
  assert.equal(failure.error, 'interrupted by SIGTERM during load-pg of 2024-W02; run it again to finish');
  const text = telegramText(failure).split('\n');
  assert.deepEqual(text.slice(0, 3), [
    'sales-etl interrupted by SIGTERM',
    'weeks: 2024-W02, 2024-W03',
    'stage: load-pg',
  ]);
  const plain = failureOf(['2024-W02'], 'clean', new Error('x'));
  assert.equal('signal' in plain, false, 'no signal key for an ordinary failure');
  assert.deepEqual(telegramText(plain).split('\n').slice(0, 2), ['sales-etl failed', 'week: 2024-W02']);
});

test('a failing notifier is logged without the bot token and does not throw', async () => {
  const sink = await startHttpSink(() => ({ status: 401, body: '{"ok":false,"description":"Unauthorized"}' }));
  try {
    const lines: string[] = [];
    const config = notifyConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '1', TELEGRAM_API_URL: sink.url });
    const failure = failureOf(['2024-W20'], 'clean', new Error('x'));
    const [outcome] = await notifyFailure(failure, recordingLogger(lines), config);
    assert.equal(outcome?.ok, false);
    assert.equal(lines.length, 1);
    const answer = '{"ok":false,"description":"Unauthorized"}';
    assert.equal(lines[0], `warn telegram notification to ${sink.url} failed: HTTP 401 ${answer}`);
    assert.doesNotMatch(lines.join('\n') + JSON.stringify(outcome), /SECRET-bot-token/);
  } finally {
    await sink.close();
  }
});

test('a notifier that does not answer times out; one that cannot be reached is logged', async () => {
  const sink = await startHttpSink(() => 'hang');
  try {
    const lines: string[] = [];
    const config = { ...notifyConfig({ NOTIFY_WEBHOOK_URL: `${sink.url}/hook` }), timeoutMs: 300 };
    const failure = failureOf(['2024-W20'], 'clean', new Error('x'));
    const [outcome] = await notifyFailure(failure, recordingLogger(lines), config);
    assert.equal(outcome?.ok, false);
    assert.equal(lines[0], `warn webhook notification to ${sink.url} failed: no answer within 0.3s`);
  } finally {
    await sink.close();
  }
  const closed = await startHttpSink();
  await closed.close(); // its port is now free: nothing listens there
  const lines: string[] = [];
  const config = notifyConfig({ NOTIFY_WEBHOOK_URL: `${closed.url}/hook` });
  const failure = failureOf(['2024-W20'], 'clean', new Error('x'));
  const [outcome] = await notifyFailure(failure, recordingLogger(lines), config);
  assert.equal(outcome?.ok, false);
  assert.match(lines[0]!, new RegExp(`^warn webhook notification to ${closed.url} failed: .*ECONNREFUSED`));
  assert.doesNotMatch(lines[0]!, /\/hook/);
});

const FAILURE = failureOf(['2024-W20'], 'clean', new Error('x'));

test('a failing webhook is logged by scheme and host: no secret path, query or user', async () => {
  const sink = await startHttpSink(() => ({ status: 500, body: 'oops' }));
  try {
    const secret = 'XyZ-webhook-secret';
    const host = new URL(sink.url).host;
    for (const url of [
      `${sink.url}/services/T000/B000/${secret}`,
      `${sink.url}/hook?token=${secret}&x=1`,
      `http://alert:${secret}@${host}/hook`,
    ]) {
      const lines: string[] = [];
      const config = notifyConfig({ NOTIFY_WEBHOOK_URL: url });
      const [outcome] = await notifyFailure(FAILURE, recordingLogger(lines), config);
      assert.deepEqual(lines, [`warn webhook notification to ${sink.url} failed: HTTP 500 oops`], url);
      assert.equal(outcome?.error, `webhook notification to ${sink.url} failed: HTTP 500 oops`);
    }
    // A URL that does not parse is not echoed either (fetch's own message quotes it whole).
    const lines: string[] = [];
    const config = notifyConfig({ NOTIFY_WEBHOOK_URL: `http://[bad/${secret}` });
    const [outcome] = await notifyFailure(FAILURE, recordingLogger(lines), config);
    assert.equal(outcome?.ok, false);
    assert.match(lines[0]!, /^warn webhook notification to a URL that does not parse failed: /);
    assert.doesNotMatch(lines.join('\n'), new RegExp(secret));
  } finally {
    await sink.close();
  }
});

test('a webhook URL with user:password sends them as Authorization: Basic, not in the URL', async () => {
  const sink = await startHttpSink();
  try {
    const host = new URL(sink.url).host;
    const lines: string[] = [];
    // Percent-encoded in the URL, as they must be: the header carries them decoded.
    const config = notifyConfig({ NOTIFY_WEBHOOK_URL: `http://alert%40ops:p%3Ass%20w@${host}/hook?x=1` });
    const [outcome] = await notifyFailure(FAILURE, recordingLogger(lines), config);
    assert.equal(outcome?.ok, true, lines.join('\n'));
    assert.equal(sink.received.length, 1);
    const [request] = sink.received;
    assert.equal(request?.url, '/hook?x=1');
    assert.equal(request?.headers.authorization, `Basic ${Buffer.from('alert@ops:p:ss w').toString('base64')}`);
    assert.equal(request?.headers.host, host);
    assert.deepEqual((request?.json as { week: string[] } | undefined)?.week, ['2024-W20']);
  } finally {
    await sink.close();
  }
  // Without credentials there is no Authorization header.
  const plain = await startHttpSink();
  try {
    await notifyFailure(FAILURE, silentLogger(), notifyConfig({ NOTIFY_WEBHOOK_URL: `${plain.url}/h` }));
    assert.equal(plain.received[0]?.headers.authorization, undefined);
  } finally {
    await plain.close();
  }
});

test('a webhook URL whose path or query is its credential shows as its origin, even when fetch quotes it', async () => {
  const sink = await startHttpSink(() => 'hang');
  try {
    for (const hook of [`${sink.url}/services/T01/B02/hook-s3cret?token=q-s3cret`, 'http://[bad/hook-s3cret']) {
      const lines: string[] = [];
      const config = { ...notifyConfig({ NOTIFY_WEBHOOK_URL: hook }), timeoutMs: 300 };
      const failure = failureOf(['2024-W20'], 'clean', new Error('x'));
      const [outcome] = await notifyFailure(failure, recordingLogger(lines), config);
      assert.equal(outcome?.ok, false, hook);
      assert.equal(lines.length, 1);
      const shown = /^warn webhook notification to (http:\/\/127\.0\.0\.1:\d+|a URL that does not parse) failed/;
      assert.match(lines[0]!, shown);
      for (const text of [lines[0]!, outcome?.error ?? '']) assert.doesNotMatch(text, /s3cret/, text);
    }
  } finally {
    await sink.close();
  }
});
