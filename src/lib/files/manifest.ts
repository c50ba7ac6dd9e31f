import { readFile } from 'node:fs/promises';
import type { Week } from '../core/calendar.js';
import type { Layout } from './layout.js';
import type { Region } from '../core/regions.js';

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

/** A week's clean manifest, or undefined when the week has not been cleaned (completely). */
export async function readCleanManifest(layout: Layout, week: Week | string): Promise<CleanManifest | undefined> {
  const file = layout.manifest(week);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${layout.relative(file)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as CleanManifest;
  } catch (error) {
    throw new Error(`${layout.relative(file)} is not valid JSON`, { cause: error });
  }
}
