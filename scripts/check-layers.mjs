#!/usr/bin/env node
// The one rule of dependency (docs/architecture.md): commands use lib; inside lib, pipeline/ uses the domain
// folders, which use the foundation (core/, files/, ui/); nothing in lib imports commands or the CLI.
// Every relative import of src/ is checked against the layer of the folder it comes from.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FOUNDATION = ['core', 'files', 'ui'];
// Domain folders, lowest first: each may use the foundation and the domain folders before it.
const DOMAIN = ['generator', 'clean', 'pg', 'clickhouse', 'report', 'ops'];

/** What a file under src/ may import, by its place: a list of src-relative prefixes. */
function allowed(place) {
  const [top, folder] = place;
  if (top === 'commands') return ['commands', 'lib'];
  if (top !== 'lib') return ['commands', 'lib', 'cli-options', 'cli-signals'];
  if (FOUNDATION.includes(folder)) return FOUNDATION.map((f) => `lib/${f}`);
  const rank = DOMAIN.indexOf(folder);
  if (rank >= 0) return [...FOUNDATION, ...DOMAIN.slice(0, rank + 1)].map((f) => `lib/${f}`);
  if (folder === 'pipeline') return ['lib'];
  return undefined;
}

const IMPORT = /(?:import|export)(?:\s+type)?[^'"]*?\sfrom\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;
const problems = [];
const files = execFileSync('git', ['ls-files', '-z', 'src'], { encoding: 'utf8' })
  .split('\0')
  .filter((file) => file.endsWith('.ts'));
for (const file of files) {
  const place = path.posix.relative('src', file).split('/');
  const may = allowed(place.length > 1 ? place : ['cli']);
  if (!may) {
    problems.push(`${file}: src/lib/${place[1]}/ is not a known folder (scripts/check-layers.mjs lists them)`);
    continue;
  }
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    const target = path.posix.relative('src', path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '');
    const ok = may.some((prefix) => target === prefix || target.startsWith(`${prefix}/`));
    if (!ok) problems.push(`${file} imports ${spec}: ${place.slice(0, 2).join('/')} may use only ${may.join(', ')}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n${problems.length} imports across the layers\n`);
  process.exit(1);
}
