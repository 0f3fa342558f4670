// Writes crds/*.yaml and deploy/rbac.yaml from the compiled controllers (run `tsc -b` first;
// the root `crds` script does). Our CRD files of kinds that no longer exist are removed; other
// files in crds/ are left alone.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUP } from '../dist/api/index.js';
import { kojiCrdFiles, kojiRbacText } from '../dist/generated-manifests.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const crdDir = join(root, 'crds');
const files = kojiCrdFiles();
const wanted = new Set(files.map((f) => f.fileName));
for (const name of readdirSync(crdDir)) {
  if (name.startsWith(`${GROUP}_`) && !wanted.has(name)) rmSync(join(crdDir, name));
}
for (const file of files) {
  writeFileSync(join(crdDir, file.fileName), file.text);
  console.log(`wrote crds/${file.fileName}`);
}
writeFileSync(join(root, 'deploy', 'rbac.yaml'), kojiRbacText());
console.log('wrote deploy/rbac.yaml');
