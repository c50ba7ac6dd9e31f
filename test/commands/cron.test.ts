import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cron, localSchedule, nextRunInstant } from '../../src/commands/cron.js';
import { previousWeek } from '../../src/lib/calendar.js';
import { Layout } from '../../src/lib/layout.js';
import { silentLogger } from '../../src/lib/logger.js';
import { NODE_FLAGS } from '../../src/lib/node-flags.js';

const BIN = fileURLToPath(new URL('../../../bin/sales-etl.js', import.meta.url));
const WINTER = Date.UTC(2024, 0, 10, 12); // a Wednesday in January
const SUMMER = Date.UTC(2024, 6, 10, 12); // a Wednesday in July

test('Tuesday 12:45 Moscow on machines in other time zones, day shifts included', () => {
  const at = (tz: string, now: number) => {
    const s = localSchedule(tz, now);
    return `${s.weekdayName} ${s.hour}:${String(s.minute).padStart(2, '0')} ${s.utcOffset}`;
  };
  assert.equal(at('Europe/Moscow', WINTER), 'Tuesday 12:45 +03:00');
  assert.equal(at('UTC', WINTER), 'Tuesday 9:45 +00:00');
  assert.equal(at('Asia/Vladivostok', WINTER), 'Tuesday 19:45 +10:00');
  assert.equal(at('America/Los_Angeles', WINTER), 'Tuesday 1:45 -08:00');
  assert.equal(at('America/Los_Angeles', SUMMER), 'Tuesday 2:45 -07:00');
  assert.equal(at('Asia/Kolkata', WINTER), 'Tuesday 15:15 +05:30');
  // UTC-11: Moscow's Tuesday noon is still Monday evening there.
  assert.equal(at('Pacific/Pago_Pago', WINTER), 'Monday 22:45 -11:00');
  // UTC+14: and Wednesday early morning here.
  assert.equal(at('Pacific/Kiritimati', SUMMER), 'Tuesday 23:45 +14:00');
  assert.equal(localSchedule('Pacific/Pago_Pago', WINTER).weekday, 1);
});

test('the next run is the coming Tuesday 09:45 UTC, or next week once it has passed', () => {
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 20, 12))).toISOString(), '2024-05-21T09:45:00.000Z'); // Monday
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 21, 9, 44))).toISOString(), '2024-05-21T09:45:00.000Z');
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 21, 9, 46))).toISOString(), '2024-05-28T09:45:00.000Z');
});

test('the crontab entry has absolute paths, the data dir, a log redirect and the CRON_TZ form', async () => {
  const ctx = { config: { layout: new Layout('/srv/sales data') } as never, log: silentLogger() };
  const r = await cron({ ctx, timeZone: 'Asia/Vladivostok', now: WINTER, node: '/opt/node/bin/node', bin: '/opt/sales-etl/bin/sales-etl.js' });
  const lines = r.text.split('\n');
  const entry = lines.find((l) => /^\d/.test(l));
  assert.equal(
    entry,
    "45 19 * * 2 cd /opt/sales-etl && mkdir -p '/srv/sales data/logs' && /opt/node/bin/node --max-old-space-size=512 --max-semi-space-size=8 /opt/sales-etl/bin/sales-etl.js " +
      "--data-dir '/srv/sales data' run-week >> '/srv/sales data/logs/cron.log' 2>&1",
  );
  assert.ok(lines.includes('# CRON_TZ=Europe/Moscow'));
  assert.ok(lines.some((l) => l.startsWith('# 45 12 * * 2 cd /opt/sales-etl')));
});

test('--systemd prints a service and a timer on Moscow time', async () => {
  const ctx = { config: { layout: new Layout('/srv/sales') } as never, log: silentLogger() };
  const r = await cron({ ctx, systemd: true, node: '/usr/bin/node', bin: '/opt/sales-etl/bin/sales-etl.js' });
  assert.match(r.text, /^ExecStart=\/usr\/bin\/node --max-old-space-size=512 --max-semi-space-size=8 \/opt\/sales-etl\/bin\/sales-etl.js --data-dir \/srv\/sales run-week$/m);
  assert.match(r.text, /^OnCalendar=Tue \*-\*-\* 12:45:00 Europe\/Moscow$/m);
  assert.match(r.text, /^Type=oneshot$/m);
  assert.match(r.text, /^KillMode=mixed$/m, 'systemctl stop signals sales-etl, which stops its own server');
  assert.match(r.text, /^WantedBy=timers.target$/m);
});

test('sales-etl cron under TZ=Europe/Moscow, UTC and Asia/Vladivostok', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-cron-'));
  try {
    const expected: Record<string, string> = { 'Europe/Moscow': '45 12 * * 2', UTC: '45 9 * * 2', 'Asia/Vladivostok': '45 19 * * 2' };
    for (const [tz, when] of Object.entries(expected)) {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'cron'], { encoding: 'utf8', env: { ...process.env, TZ: tz } });
      assert.equal(r.status, 0, r.stderr);
      const entry = r.stdout.split('\n').find((l) => /^\d/.test(l)) ?? '';
      assert.ok(entry.startsWith(`${when} `), `${tz}: ${entry}`);
      assert.ok(entry.includes(`${process.execPath} ${NODE_FLAGS.join(' ')} ${BIN} --data-dir ${dir} run-week`), entry);
      assert.ok(entry.endsWith(`>> ${path.join(dir, 'logs', 'cron.log')} 2>&1`), entry);
      assert.doesNotMatch(r.stdout, /\u001b\[/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the previous week at the Sunday/Monday boundary in Moscow, whatever the machine zone', () => {
  // Sunday 2024-05-19 23:59:59 Moscow = 20:59:59 UTC: the current week is W20, so the previous is W19.
  assert.equal(previousWeek(Date.UTC(2024, 4, 19, 20, 59, 59)).id, '2024-W19');
  // Monday 2024-05-20 00:00 Moscow = Sunday 21:00 UTC (still Sunday in UTC): W20 is complete.
  assert.equal(previousWeek(Date.UTC(2024, 4, 19, 21, 0, 0)).id, '2024-W20');
  // Tuesday 12:45 Moscow, the cron run: the week that ended on Sunday.
  assert.equal(previousWeek(Date.UTC(2024, 4, 21, 9, 45)).id, '2024-W20');
  // Across the ISO year boundary: Monday 2024-12-30 is in 2025-W01.
  assert.equal(previousWeek(Date.UTC(2025, 0, 6, 9, 45)).id, '2025-W01');
  assert.equal(previousWeek(Date.UTC(2024, 11, 30, 9, 45)).id, '2024-W52');
});
