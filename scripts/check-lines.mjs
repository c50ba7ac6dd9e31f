#!/usr/bin/env node
// Refuses a line over 120 characters in the project's code and SQL (the formatter cannot wrap strings and
// comments, so this keeps them within the width it keeps everything else). Data fixtures are exempt.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 120;
const CHECKED = /\.(ts|js|mjs|sql|sh)$/;
const EXEMPT = /^test\/fixtures\//;

const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((file) => CHECKED.test(file) && !EXEMPT.test(file));
const long = [];
for (const file of files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const width = [...line].length;
      if (width > LIMIT) long.push(`${file}:${i + 1}: ${width} characters`);
    });
}
if (long.length > 0) {
  process.stderr.write(`${long.join('\n')}\n${long.length} lines over ${LIMIT} characters\n`);
  process.exit(1);
}
