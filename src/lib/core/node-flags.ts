/**
 * The V8 heap flags the CLI runs with: bin/sales-etl.js's `#!` line passes
 * them (test/lib/node-flags.test.ts keeps the two the same), and the crontab
 * entry and the benchmark, which start node themselves, pass these.
 *
 * With the defaults, V8 lets a young generation of 32 MB and several times the
 * live old generation stay resident: ~60 MB of heap for ~18 MB of live objects
 * in a year's backfill, beside the embedded ClickHouse's ~240 MB. Smaller semi
 * spaces and the growth of an old space capped at 512 MB (V8 grows a smaller
 * heap by smaller steps) keep that near 40 MB. Semi spaces of 4 MB rather
 * than 8 take another 6-10 MB off a backfill's peak (measured: 388 MB against
 * 394-401 MB), which sits at the 400 MB target, for 6% more time in generate
 * and 5% in clean (more young-generation collections). Nothing the pipeline
 * holds grows with the data (files stream, the big tables are typed arrays
 * outside the heap), so 512 MB is far from a limit it can reach.
 */
export const NODE_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=4'] as const;
