// Writes crds/*.yaml from the compiled API (run `tsc -b` first; the root `crds` script does).
// Our files of kinds that no longer exist are removed; other files in crds/ are left alone.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP, renderCrdFiles } from '../dist/api/index.js';

const crdDir = fileURLToPath(new URL('../../../crds/', import.meta.url));
const files = renderCrdFiles();
const wanted = new Set(files.map((f) => f.fileName));
for (const name of readdirSync(crdDir)) {
  if (name.startsWith(`${GROUP}_`) && !wanted.has(name)) rmSync(join(crdDir, name));
}
for (const file of files) {
  writeFileSync(join(crdDir, file.fileName), file.text);
  console.log(`wrote crds/${file.fileName}`);
}
