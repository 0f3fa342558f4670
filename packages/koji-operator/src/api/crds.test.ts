import { readFileSync, readdirSync } from 'node:fs';
import { renderCrdFiles } from './crd-files.js';
import { GROUP } from './definition.js';

const crdDir = new URL('../../../../crds/', import.meta.url);

test('crds/ holds exactly what src/api generates (run `npm run crds` after changing the API)', () => {
  const generated = renderCrdFiles();
  const onDisk = readdirSync(crdDir).filter((f) => f.startsWith(`${GROUP}_`));
  expect(onDisk.sort()).toEqual(generated.map((f) => f.fileName).sort());
  for (const file of generated) {
    expect({ file: file.fileName, text: readFileSync(new URL(file.fileName, crdDir), 'utf8') }).toEqual({
      file: file.fileName,
      text: file.text,
    });
  }
});
