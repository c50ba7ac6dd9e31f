/**
 * Money, exact end to end: amounts travel as decimal strings and are summed or
 * divided as whole kopecks in integers, never through floats.
 */

/** Money as an exact decimal string with two decimals: `'1234.50'`. */
export type Money = string;

/** An exact decimal string as whole kopecks. */
export function toKopecks(amount: Money): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(amount)}`);
  const fraction = (m[3] ?? '').padEnd(2, '0');
  if (/[^0]/.test(fraction.slice(2))) throw new Error(`amount has more than two decimals: ${amount}`);
  const kopecks = BigInt(m[2]!) * 100n + BigInt(fraction.slice(0, 2));
  return m[1] === '-' ? -kopecks : kopecks;
}

/** Whole kopecks as a decimal string with two decimals. */
export function fromKopecks(kopecks: bigint): Money {
  const sign = kopecks < 0n ? '-' : '';
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * Kopecks held in a safe integer as `1234.50`: the generator's form, for the
 * millions of amounts it writes (plain concatenation, no BigInt).
 */
export function formatKopecks(kopecks: number): string {
  const abs = kopecks < 0 ? -kopecks : kopecks;
  const cents = abs % 100;
  return (kopecks < 0 ? '-' : '') + (abs - cents) / 100 + (cents < 10 ? '.0' : '.') + cents;
}

/** A decimal string of any scale (`1234.5` from ClickHouse, `1234.50` from PostgreSQL) as two decimals. */
export function twoDecimals(amount: string): Money {
  return fromKopecks(toKopecks(amount));
}

/** revenue / orders, rounded half up to the kopeck (exact, in integers); null when there are no orders. */
export function averageCheck(revenue: Money, orders: number): Money | null {
  if (orders <= 0) return null;
  const n = BigInt(orders);
  const kopecks = toKopecks(revenue);
  return fromKopecks((2n * kopecks + n) / (2n * n));
}

/**
 * A decimal string in one spelling: no leading zeros, no trailing fractional
 * zeros, no lone dot (`0012.50` → `12.5`, `-0.00` → `0`). ClickHouse prints
 * `1234.5` where PostgreSQL prints `1234.50`; compared as strings, not floats.
 */
export function canonicalDecimal(text: string): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const whole = m[2]!.replace(/^0+(?=\d)/, '') || '0';
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return body === '0' ? '0' : `${m[1] === '-' ? '-' : ''}${body}`;
}
