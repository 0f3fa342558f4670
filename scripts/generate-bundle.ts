// Writes bundle/ (the OLM bundle) from crds/, deploy/, examples/ and the image contract. Run it
// with `npm run bundle` (which builds first) after changing any of them; a test fails on drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { bundleFiles } from './bundle/bundle.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'packages/koji-operator/package.json'), 'utf8')) as {
  version: string;
};
for (const file of bundleFiles(root, version)) {
  const path = join(root, 'bundle', file.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, file.text);
  console.log(`wrote bundle/${file.path}`);
}
