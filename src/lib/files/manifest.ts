import { readFile } from 'node:fs/promises';
import type { Week } from '../core/calendar.js';
import type { Layout } from './layout.js';
import { checkRegion, type Region } from '../core/regions.js';

/** One raw file's accounting in `clean/<week>/manifest.json`: read = written + duplicates + rejected. */
export interface CleanManifestFile {
  region: Region;
  /** Paths relative to the data directory, with `/`. */
  input: string;
  inputSha256: string;
  output: string;
  outputSha256: string;
  rejects: string;
  read: number;
  written: number;
  duplicates: number;
  rejected: number;
  rejectReasons: Record<string, number>;
}

/** `clean/<week>/manifest.json` (docs/architecture.md): written last, no timestamps. */
export interface CleanManifest {
  week: string;
  weekStart: string;
  weekEnd: string;
  files: CleanManifestFile[];
  missingRegions: Region[];
  totals: { read: number; written: number; duplicates: number; rejected: number };
}

/** The manifest's text: stable key order, two-space indent, a final newline. */
export function formatCleanManifest(manifest: CleanManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** What reading a week's clean manifest found: the manifest, none (the week is not cleaned), or a broken one. */
export type CleanManifestRead =
  | { readonly kind: 'ok'; readonly manifest: CleanManifest }
  | { readonly kind: 'missing'; readonly error: unknown }
  | { readonly kind: 'invalid'; readonly error: unknown };

/**
 * Read and check `clean/<week>/manifest.json`: a file that cannot be read is
 * `missing` (clean writes it last), one that is not the week's manifest is `invalid`.
 */
export async function readCleanManifest(layout: Layout, week: Week): Promise<CleanManifestRead> {
  let text: string;
  try {
    text = await readFile(layout.manifest(week), 'utf8');
  } catch (error) {
    return { kind: 'missing', error };
  }
  try {
    return { kind: 'ok', manifest: parseCleanManifest(text, week.id) };
  } catch (error) {
    return { kind: 'invalid', error };
  }
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** The manifest of week `weekId` in `text`; throws, naming what is wrong, when it is not one. */
export function parseCleanManifest(text: string, weekId: string): CleanManifest {
  const manifest = JSON.parse(text) as CleanManifest;
  if (manifest?.week !== weekId || !Array.isArray(manifest.files)) throw new Error(`not the manifest of ${weekId}`);
  for (const f of manifest.files) {
    checkRegion(f.region);
    if (!isCount(f.written)) throw new Error(`bad written count for ${f.region}`);
  }
  const totals = manifest.totals;
  if (!totals || ![totals.read, totals.written, totals.duplicates, totals.rejected].every(isCount)) {
    throw new Error('bad totals');
  }
  // Manifests written before missingRegions existed have none.
  const missing = manifest.missingRegions ?? [];
  if (!Array.isArray(missing)) throw new Error('bad missingRegions');
  for (const region of missing) checkRegion(region);
  return { ...manifest, missingRegions: missing };
}
