// One Koji operator serving 20 namespaces, each with the proposal's five CRs and the Secrets and
// ConfigMaps it lists (issue 15): every CR turns Ready, and the operator holds exactly one
// watch per kind it uses per namespace (shared by its five controllers and by every @Owns,
// @Watches and related use), read from its own `operator_watches` gauge. Before shared watches
// it held 37 per namespace, so four namespaces exhausted the HTTP pool and nothing got Ready.
// One hub emulator stands in for the twenty hubs: one CA (examples/gen-certs.sh's, applied in
// every namespace) and one server certificate naming every namespace's hub Services.
import { openWatches, startOperator, type RunningOperator } from '@fedora-operators/framework/testing';
import { kojiControllers, options } from '../../src/main.js';
import { createTestNamespace, type TestNamespace } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import {
  prepareExampleNamespaces,
  proposalCrs,
  type ExampleNamespaces,
} from '../support/example-namespaces.js';

const COUNT = 20;
const namespaces: TestNamespace[] = [];
let operator: RunningOperator;
let examples: ExampleNamespaces;

beforeAll(async () => {
  namespaces.push(
    ...(await Promise.all(Array.from({ length: COUNT }, (_, i) => createTestNamespace(`koji${i}`)))),
  );
  examples = await prepareExampleNamespaces(namespaces);
  operator = await startOperator(
    kojiControllers(examples.hubFactory()),
    { ...options, namespaces: namespaces.map((ns) => ns.name), resyncSeconds: 0 },
    { syncTimeoutMs: 60_000 },
  );
  await Promise.all(namespaces.map((ns) => examples.createCrs(ns)));
}, 300_000);

afterAll(async () => {
  await operator?.stop();
  await examples?.close();
  for (const ns of namespaces) await ns.dispose();
});

test('one watch per kind the operator uses, per namespace it serves', async () => {
  const counts = await openWatches(operator.operator);
  const kinds = [
    'configmaps.core',
    'deployments.apps',
    'ingresses.networking.k8s.io',
    'jobs.batch',
    'kojibuilders.koji.fedoraproject.org',
    'kojihubs.koji.fedoraproject.org',
    'kojiras.koji.fedoraproject.org',
    'kojiusers.koji.fedoraproject.org',
    'kojiwebs.koji.fedoraproject.org',
    'persistentvolumeclaims.core',
    'poddisruptionbudgets.policy',
    'secrets.core',
    'services.core',
    'statefulsets.apps',
  ];
  const expected = Object.fromEntries(
    namespaces.flatMap((ns) => kinds.map((kind) => [`${kind} ${ns.name}`, 1])),
  );
  expect(Object.fromEntries(counts)).toEqual(expected);
});

test(`every proposal CR in all ${COUNT} namespaces turns Ready=True`, async () => {
  const pending = () => examples.notReady(namespaces);
  const started = Date.now();
  await eventually(async () => (await pending()).length === 0, {
    what: `all ${COUNT * proposalCrs.length} CRs Ready`,
    timeoutMs: 170_000,
    intervalMs: 2_000,
  }).catch(async (error: unknown) => {
    throw new Error(
      `${String(error)}; not Ready: ${(await pending()).join(', ')}\n${examples.hub.logTails(20)}`,
    );
  });
  process.stderr.write(
    `all ${COUNT * proposalCrs.length} CRs Ready ${((Date.now() - started) / 1000).toFixed(1)} s (created just before)\n`,
  );
}, 210_000);
