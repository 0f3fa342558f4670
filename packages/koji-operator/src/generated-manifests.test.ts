import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '@fedora-operators/framework';
import { GROUP } from './api/index.js';
import { kojiCrdFiles, kojiRbacText } from './generated-manifests.js';

const root = new URL('../../../', import.meta.url);
const crdDir = new URL('crds/', root);

test('crds/ holds exactly what the controllers generate (run `npm run crds` after changing the API)', () => {
  const generated = kojiCrdFiles();
  const onDisk = readdirSync(crdDir).filter((f) => f.startsWith(`${GROUP}_`));
  expect(onDisk.sort()).toEqual(generated.map((f) => f.fileName).sort());
  for (const file of generated) {
    expect({ file: file.fileName, text: readFileSync(new URL(file.fileName, crdDir), 'utf8') }).toEqual({
      file: file.fileName,
      text: file.text,
    });
  }
});

test('deploy/rbac.yaml is what the controllers generate (run `npm run crds` after changing them)', () => {
  expect(readFileSync(new URL('deploy/rbac.yaml', root), 'utf8')).toBe(kojiRbacText());
});

test('every CRD: <plural>.koji.fedoraproject.org, status subresource, Ready and Age columns, koji category', () => {
  const crds = kojiCrdFiles().map((f) => parse(f.text, { version: '1.1' }) as CustomResourceDefinition);
  expect(crds.map((c) => c.metadata.name)).toEqual([
    'kojihubs.koji.fedoraproject.org',
    'kojiwebs.koji.fedoraproject.org',
    'kojiras.koji.fedoraproject.org',
    'kojibuilders.koji.fedoraproject.org',
    'kojiusers.koji.fedoraproject.org',
  ]);
  for (const crd of crds) {
    const version = crd.spec.versions[0];
    expect(version?.name).toBe('v1alpha1');
    expect(version?.subresources).toEqual({ status: {} });
    const columns = version?.additionalPrinterColumns.map((c) => [c.name, c.jsonPath]);
    expect(columns).toContainEqual(['Ready', '.status.conditions[?(@.type=="Ready")].status']);
    expect(columns).toContainEqual(['Age', '.metadata.creationTimestamp']);
    expect(crd.spec.names.categories).toEqual(['koji']);
    expect(crd.spec.names.shortNames?.length).toBeGreaterThan(0);
  }
});

test('keeps enum values strings under YAML 1.1, as kubectl reads the files', () => {
  const kojira = kojiCrdFiles().find((f) => f.fileName.endsWith('_kojiras.yaml'));
  const crd = parse(kojira?.text ?? '', { version: '1.1' }) as CustomResourceDefinition;
  const src = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties?.src;
  expect(src?.enum).toEqual(['yes', 'no', 'true', 'false', 'on', 'off', '1', '0']);
});
