// Invalid CRs are stopped by the apiserver, with the message the CRD schema gives for that
// mistake (each fixture names it in its expected-error annotation).
import { readdirSync } from 'node:fs';
import { isApiError, type KubeObject } from '@fedora-operators/framework';
import { create, createTestNamespace, readYaml, type TestNamespace } from '../support/cluster.js';

const dir = 'packages/koji-operator/test/fixtures/invalid';
const files = readdirSync(new URL(`../../../../${dir}`, import.meta.url)).filter((f) => f.endsWith('.yaml'));
const annotation = 'test.koji.fedoraproject.org/expected-error';

let ns: TestNamespace;
beforeAll(async () => {
  ns = await createTestNamespace('invalid');
});
afterAll(async () => {
  await ns?.dispose();
});

test('there are invalid fixtures to apply', () => {
  expect(files.length).toBeGreaterThan(10);
});

test.each(files)('%s is rejected with its expected message', async (file) => {
  const [object] = readYaml(`${dir}/${file}`) as [KubeObject];
  const expected = object.metadata.annotations?.[annotation];
  expect(expected).toBeTruthy();
  let error: unknown;
  try {
    await create(ns.client, ns.name, object);
  } catch (e) {
    error = e;
  }
  expect(isApiError(error, 422)).toBe(true);
  expect((error as Error).message).toContain(expected);
});
