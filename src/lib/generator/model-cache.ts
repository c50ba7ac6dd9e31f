import { SalesModel } from './sales.js';
import type { GeneratorPlan } from './store-plan.js';

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

/** The model of `plan` for the data directory `root`, able to reach week `horizon` without rebuilding. */
export function salesModelFor(root: string, plan: GeneratorPlan, horizon: number): SalesModel {
  const key = `${root}\n${JSON.stringify(plan)}`;
  if (cached?.key !== key) cached = { key, model: new SalesModel(plan, horizon) };
  return cached.model;
}

/** Forget the cached model (tests that want a cold start). */
export function clearSalesModelCache(): void {
  cached = undefined;
}
