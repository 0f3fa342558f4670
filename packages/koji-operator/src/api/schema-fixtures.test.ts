// The apiserver is the real judge of these schemas (the integration suite applies the same
// fixtures). Here a small structural check proves, without a cluster, that each invalid
// fixture breaks a constraint whose message is the one it expects, and that the examples pass.
import { readFileSync, readdirSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { kindDefinitions } from './kinds.js';
import type { JSONSchemaProps } from './schema.js';

interface Finding {
  path: string;
  /** Messages a person would read: the rule's own, or the structural one. */
  messages: string[];
}

const matchesRule = /^self\.matches\('(.*)'\)$/;

// CEL rules of the form self.matches('re') are checked here; the others (quantities, cross-
// field rules) are only found by the apiserver, so their messages count as possible findings.
function check(schema: JSONSchemaProps, value: unknown, path: string, out: Finding[]): void {
  if (value === null || value === undefined) return; // the apiserver prunes nulls
  const fail = (message: string) => out.push({ path, messages: [message] });
  const rules = schema['x-kubernetes-validations'] ?? [];
  const typeOk =
    (schema.type === 'object' && typeof value === 'object' && !Array.isArray(value)) ||
    (schema.type === 'array' && Array.isArray(value)) ||
    (schema.type === 'string' && typeof value === 'string') ||
    (schema.type === 'integer' && Number.isInteger(value)) ||
    (schema.type === 'boolean' && typeof value === 'boolean');
  if (!typeOk) {
    fail(`must be of type ${schema.type}`);
    return;
  }
  const unchecked = rules.filter((r) => !matchesRule.test(r.rule)).map((r) => r.message);
  if (unchecked.length) out.push({ path, messages: unchecked.map((m) => `(unchecked) ${m}`) });
  for (const r of rules) {
    const re = matchesRule.exec(r.rule)?.[1];
    if (re !== undefined && typeof value === 'string' && !new RegExp(re).test(value)) fail(r.message);
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    fail(`supported values: ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      fail(`should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      fail(`should be less than or equal to ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) fail(`should match '${schema.pattern}'`);
    if (schema.minLength !== undefined && value.length < schema.minLength)
      fail(`should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      fail(`may not be longer than ${schema.maxLength}`);
  }
  if (Array.isArray(value)) {
    if (schema['x-kubernetes-list-type'] === 'set') {
      const dup = value.find((v, i) => value.indexOf(v) !== i);
      if (dup !== undefined) fail(`Duplicate value: ${JSON.stringify(dup)}`);
    }
    value.forEach((item, i) => schema.items && check(schema.items, item, `${path}[${i}]`, out));
  }
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (obj[key] === undefined || obj[key] === null)
        out.push({ path: `${path}.${key}`, messages: [`${path}.${key}: Required value`] });
    }
    for (const [key, v] of Object.entries(obj)) {
      const prop = schema.properties?.[key];
      if (!prop) fail(`unknown field "${key}"`);
      else check(prop, v, `${path}.${key}`, out);
    }
  }
}

function findings(doc: { kind: string; spec: unknown }): Finding[] {
  const def = kindDefinitions.find((d) => d.kind === doc.kind);
  if (!def) throw new Error(`no kind ${doc.kind}`);
  const out: Finding[] = [];
  check(def.spec, doc.spec, 'spec', out);
  return out;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: unknown;
}

const fixtureDir = new URL('../../test/fixtures/invalid/', import.meta.url);
const fixtures = readdirSync(fixtureDir).map(
  (f) => [f, parse(readFileSync(new URL(f, fixtureDir), 'utf8')) as Manifest] as const,
);

test.each(fixtures)('%s is rejected with the message it expects', (_file, fixture) => {
  const expected = fixture.metadata.annotations?.['test.koji.fedoraproject.org/expected-error'];
  expect(expected).toBeTruthy();
  const messages = findings(fixture).flatMap((f) => f.messages.map((m) => m.replace(/^\(unchecked\) /, '')));
  expect(messages.some((m) => m.includes(expected ?? ''))).toBe(true);
});

test.each(fixtures)(
  '%s breaks a rule the structural check sees, or one only CEL can see',
  (_file, fixture) => {
    const found = findings(fixture);
    const structural = found.filter((f) => !f.messages.every((m) => m.startsWith('(unchecked)')));
    const celOnly = new Set([
      'hub-no-listener.yaml',
      'hub-size-zero.yaml',
      'hub-replicas-without-persistent.yaml',
      'hub-replicas-rwo-httpd.yaml',
    ]);
    expect(structural.length > 0).toBe(!celOnly.has(_file));
  },
);

const exampleDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(readFileSync(new URL(f, exampleDir), 'utf8')).map(
      (d) => [f, d.toJS() as Manifest] as const,
    ),
  )
  .filter(([, m]) => m.apiVersion === 'koji.fedoraproject.org/v1alpha1');

test('every kind has a proposal example', () => {
  expect(examples.map(([, m]) => m.kind).sort()).toEqual([
    'KojiBuilder',
    'KojiHub',
    'KojiUser',
    'KojiWeb',
    'Kojira',
  ]);
});

test.each(examples)('examples/%s passes the schema as written', (_file, manifest) => {
  expect(findings(manifest).filter((f) => !f.messages.every((m) => m.startsWith('(unchecked)')))).toEqual([]);
});
