#!/usr/bin/env -S node --max-old-space-size=512 --max-semi-space-size=8
import '../dist/src/cli.js';
