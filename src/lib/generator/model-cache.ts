import type { Layout } from '../files/layout.js';
import { loadLedgerStart } from './ledger-cache.js';
import { SalesModel } from './sales.js';
import { Schedule, type GeneratorPlan } from './store-plan.js';

/**
 * The sales model of the last plan generated in this process. Building one
 * derives every customer's cap and region, and bringing its buyer ledger to
 * week N replays the buyer stream of weeks 0..N-1; both are pure functions of
 * the plan. Kept between calls, a backfill that generates week after week
 * continues the ledger where the previous week left it instead of starting
 * over. Keyed by the data directory and the plan's whole content, so another
 * plan, or the same one in another directory, never reuses it; one entry only,
 * so memory stays that of one model.
 */
let cached: { key: string; model: SalesModel } | undefined;

/**
 * The model of `plan` for the data directory of `layout`, able to reach week `horizon` without
 * rebuilding; its first week here `first`. A new one starts from the ledger an earlier process
 * cached (ledger-cache.ts) when that is of this plan and not past `first`.
 */
export async function salesModelFor(
  layout: Layout,
  plan: GeneratorPlan,
  horizon: number,
  first: number,
): Promise<SalesModel> {
  const key = `${layout.root}\n${JSON.stringify(plan)}`;
  if (cached?.key !== key) {
    const ledger = first > 0 ? await loadLedgerStart(layout, plan, new Schedule(plan), first) : undefined;
    // Another call may have built it while the cache was read.
    if (cached?.key !== key) cached = { key, model: new SalesModel(plan, horizon, ledger) };
  }
  return cached.model;
}

/** Forget the cached model (tests that want a cold start). */
export function clearSalesModelCache(): void {
  cached = undefined;
}
