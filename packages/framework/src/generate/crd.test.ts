import { buildCrd } from './crd.js';

const widgets = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets' };

test('a CRD from a schema: status subresource, framework status fields, columns, spec default', () => {
  const crd = buildCrd(widgets, {
    spec: {
      type: 'object',
      properties: {
        size: {
          type: 'integer',
          minimum: 1,
          'x-kubernetes-validations': [{ rule: 'self <= 10', message: 'at most 10' }],
        },
      },
    },
    status: { type: 'object', properties: { size: { type: 'integer' } } },
    printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
  });
  expect(crd.metadata.name).toBe('widgets.example.com');
  expect(crd.spec.scope).toBe('Namespaced');
  expect(crd.spec.names).toEqual({
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
  });
  const version = crd.spec.versions[0];
  expect(version?.subresources).toEqual({ status: {} });
  expect(version?.additionalPrinterColumns.map((c) => c.name)).toEqual(['Size', 'Ready', 'Reason', 'Age']);
  const schema = version?.schema.openAPIV3Schema;
  // Without required fields the spec defaults to {} so field defaults apply to `spec`-less objects.
  expect(schema?.properties?.spec?.default).toEqual({});
  expect(schema?.properties?.spec?.properties?.size?.['x-kubernetes-validations']).toHaveLength(1);
  // What the framework writes into status must be in the schema, or the apiserver prunes it.
  expect(Object.keys(schema?.properties?.status?.properties ?? {})).toEqual([
    'conditions',
    'observedGeneration',
    'size',
    'operators.fedoraproject.org',
  ]);
  // The framework's record (diff-base, progress) is kept whatever the engine puts in it.
  const record = schema?.properties?.status?.properties?.['operators.fedoraproject.org'];
  expect(record?.['x-kubernetes-preserve-unknown-fields']).toBe(true);
  // An operator with its own storage prefix gets its own field.
  const custom = buildCrd(widgets, { spec: { type: 'object' } }, 'example.org');
  expect(custom.spec.versions[0]?.schema.openAPIV3Schema.properties?.status?.properties).toHaveProperty([
    'example.org',
  ]);
});

test('a cluster-scoped kind with required spec fields and no condition columns', () => {
  const crd = buildCrd(
    { ...widgets, namespaced: false },
    {
      spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } },
      conditionColumns: false,
    },
  );
  expect(crd.spec.scope).toBe('Cluster');
  expect(crd.spec.versions[0]?.schema.openAPIV3Schema.required).toEqual(['spec']);
  expect(crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec?.default).toBeUndefined();
  expect(crd.spec.versions[0]?.additionalPrinterColumns).toEqual([]);
});
