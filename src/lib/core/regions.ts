import { UsageError } from './errors.js';

/** The four sales regions, in the order files are processed. */
export const REGIONS = ['north', 'south', 'east', 'west'] as const;
export type Region = (typeof REGIONS)[number];

/** The region as written inside CSV rows and tables: `North`, `South`, ... */
export const REGION_NAMES: Record<Region, string> = {
  north: 'North',
  south: 'South',
  east: 'East',
  west: 'West',
};

/** A region file name, checked: anything but the four regions is refused. */
export function checkRegion(name: string): Region {
  if ((REGIONS as readonly string[]).includes(name)) return name as Region;
  throw new UsageError(`unknown region ${JSON.stringify(name)}: expected one of ${REGIONS.join(', ')}`);
}
