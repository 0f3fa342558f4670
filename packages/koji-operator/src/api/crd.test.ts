import { parse } from 'yaml';
import { buildCrd } from './crd.js';
import { renderCrdFiles } from './crd-files.js';
import { kindDefinitions } from './kinds.js';

test.each(kindDefinitions.map((d) => [d.kind, d] as const))(
  '%s: status subresource, Ready and Age columns',
  (_kind, def) => {
    const version = buildCrd(def).spec.versions[0];
    expect(version?.name).toBe('v1alpha1');
    expect(version?.subresources).toEqual({ status: {} });
    const columns = version?.additionalPrinterColumns.map((c) => [c.name, c.jsonPath]);
    expect(columns).toContainEqual(['Ready', '.status.conditions[?(@.type=="Ready")].status']);
    expect(columns).toContainEqual(['Age', '.metadata.creationTimestamp']);
    expect(def.shortNames.length).toBeGreaterThan(0);
  },
);

test('names every CRD <plural>.koji.fedoraproject.org, distinct from MBBOX apps.fedoraproject.org', () => {
  expect(kindDefinitions.map((d) => buildCrd(d).metadata.name)).toEqual([
    'kojihubs.koji.fedoraproject.org',
    'kojiwebs.koji.fedoraproject.org',
    'kojiras.koji.fedoraproject.org',
    'kojibuilders.koji.fedoraproject.org',
    'kojiusers.koji.fedoraproject.org',
  ]);
});

test('keeps enum values strings under YAML 1.1, as kubectl reads the files', () => {
  const kojira = renderCrdFiles().find((f) => f.fileName.endsWith('_kojiras.yaml'));
  const crd = parse(kojira?.text ?? '', { version: '1.1' }) as ReturnType<typeof buildCrd>;
  const src = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.properties?.src;
  expect(src?.enum).toEqual(['yes', 'no', 'true', 'false', 'on', 'off', '1', '0']);
});
