#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('plinth: run npm install (or npm run build) first\n');
  process.exit(1);
}
await import(pathToFileURL(main).href);
