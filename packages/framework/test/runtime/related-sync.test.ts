// Defect 11: processing waits for the caches of referenced kinds, not only the primary list.
// After a restart with a slow Secret list, an object whose Secret did not change must not see
// a related-handler call (the Secret looked "absent" before its list arrived).
import { jest } from '@jest/globals';
import {
  Controller,
  CoreResources,
  OnCreate,
  OnSecretChange,
  type HandlerContext,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator } from '@fedora-operators/framework/testing';
import { KubeHttp } from '../../src/kube/http.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import {
  engineCaughtUp,
  forgetEngineRuns,
  trackEngineRuns,
} from '../../../../test/support/engine-progress.ts';
import { eventually } from '../../../../test/support/eventually.ts';

const calls: string[] = [];

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Referrer', plural: 'referrers' })
class ReferrerController {
  @OnCreate()
  async created() {}

  @OnSecretChange({ refs: (spec: { secret: string }) => [spec.secret] })
  async rotated(ctx: HandlerContext) {
    calls.push(ctx.name);
  }
}

let ns: TestNamespace;
let resource: ResourceRef;

beforeAll(async () => {
  trackEngineRuns();
  ns = await createTestNamespace('relsync');
  resource = await ensureTestCrd(ns.client, 'Referrer');
});
afterAll(async () => {
  await ns.dispose();
});

test('after a restart with a slow Secret list, an unchanged Secret fires nothing', async () => {
  await ns.client.create(CoreResources.secret, {
    metadata: { name: 'pw', namespace: ns.name },
    data: { password: Buffer.from('x').toString('base64') },
  });
  await ns.client.create(resource, { metadata: { name: 'ref', namespace: ns.name }, spec: { secret: 'pw' } });
  const first = await startOperator([ReferrerController], { namespaces: [ns.name] });
  await eventually(
    async () =>
      (await ns.client.get(resource, ns.name, 'ref')).metadata.annotations?.[
        'operators.fedoraproject.org/related'
      ],
    { what: 'the secret hash to be stored' },
  );
  await first.stop();

  // The Secret list of the next operator takes 1.5 s longer than its primary list.
  const realRequest = KubeHttp.prototype.request;
  const spy = jest.spyOn(KubeHttp.prototype, 'request').mockImplementation(async function (
    this: KubeHttp,
    ...args: Parameters<KubeHttp['request']>
  ) {
    const [method, path] = args;
    if (method === 'GET' && path.endsWith('/secrets')) await new Promise((r) => setTimeout(r, 1500));
    return realRequest.apply(this, args);
  });
  try {
    forgetEngineRuns();
    const second = await startOperator([ReferrerController], { namespaces: [ns.name] });
    // The second operator's first run on the object has finished (and wrote nothing after).
    await engineCaughtUp(ns.client, resource, ns.name, 'ref');
    await second.stop();
  } finally {
    spy.mockRestore();
  }
  expect(calls).toEqual([]);
});
