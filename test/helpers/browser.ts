import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

/** How to get the browser where it is missing (Debian; `.ci/run` does this in CI). */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** The headless browser on this machine: `$CHROMIUM`, else the first of the usual names on PATH. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string =>
    Boolean(c),
  );
  for (const name of candidates) {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return undefined;
}

/** Whether a missing browser fails the test (CI) rather than skipping it. */
export function browserRequired(): boolean {
  return process.env.SALES_ETL_REQUIRE_BROWSER === '1';
}

/**
 * Load a local file in headless Chromium with the network off and save a PNG
 * screenshot of the window. A fresh, empty profile every time; the browser is
 * killed if it has not finished in two minutes.
 */
export async function screenshot(
  chromium: string,
  htmlFile: string,
  pngFile: string,
  size: { width: number; height: number } = { width: 1280, height: 2000 },
): Promise<void> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // Nothing may come from the network: every host fails to resolve, every proxy is dead.
    '--host-resolver-rules=MAP * ~NOTFOUND',
    '--proxy-server=127.0.0.1:9',
    `--user-data-dir=${profile}`,
    `--screenshot=${pngFile}`,
    `--window-size=${size.width},${size.height}`,
    '--hide-scrollbars',
    pathToFileURL(htmlFile).href,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${chromium} exited with ${signal ?? code}: ${output.slice(-2000)}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** A decoded 8-bit PNG: RGB or RGBA pixels, row by row. */
export interface Image {
  width: number;
  height: number;
  channels: 3 | 4;
  pixels: Uint8Array;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode a non-interlaced 8-bit RGB or RGBA PNG (what Chromium writes) with node's zlib. */
export function decodePng(png: Buffer): Image {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 4;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`);
      }
      channels = colorType === 2 ? 3 : 4;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels]! : 0;
      const b = y > 0 ? pixels[out - stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels]! : 0;
      const v = line[x]!;
      const predicted =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      if (filter === undefined || filter > 4) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[out + x] = (v + predicted) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** What a screenshot shows, roughly: how much differs from the background, how many colours, which. */
export interface ImageStats {
  /** Share of pixels that differ from the most common colour (the page background). */
  inked: number;
  /** Distinct colours (quantised to 5 bits a channel). */
  colors: number;
  /** Pixels within a small distance of each asked-for colour. */
  near: Record<string, number>;
}

/** Count what a screenshot shows; `probe` colours are `#rrggbb`. */
export function imageStats(image: Image, probe: string[] = []): ImageStats {
  const counts = new Map<number, number>();
  const targets = probe.map(
    (hex) =>
      [hex, parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)] as const,
  );
  const near: Record<string, number> = Object.fromEntries(probe.map((p) => [p, 0]));
  const total = image.width * image.height;
  for (let i = 0; i < total; i++) {
    const o = i * image.channels;
    const [r, g, b] = [image.pixels[o]!, image.pixels[o + 1]!, image.pixels[o + 2]!];
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const [hex, tr, tg, tb] of targets) {
      if (Math.abs(r - tr) + Math.abs(g - tg) + Math.abs(b - tb) <= 24) near[hex]!++;
    }
  }
  const background = Math.max(...counts.values());
  return { inked: 1 - background / total, colors: counts.size, near };
}

/** Decode a PNG file and count what it shows. */
export async function screenshotStats(
  pngFile: string,
  probe: string[] = [],
): Promise<{ image: Image; stats: ImageStats }> {
  const image = decodePng(await readFile(pngFile));
  return { image, stats: imageStats(image, probe) };
}
