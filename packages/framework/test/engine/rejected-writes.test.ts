// A write the apiserver rejects (422: the CRD schema refuses a status; other 4xx) is a
// failure the user sees: a Stalled condition and a Warning Event with the apiserver's own
// message; it is retried with backoff (the request rate is measured), never dropped and never
// hot-looped; fixing the spec recovers.
import { jest } from '@jest/globals';
import {
  Controller,
  CoreResources,
  KubeClient,
  OnCreate,
  OnUpdate,
  type HandlerContext,
  type KubeObject,
  type ResourceRef,
} from '@fedora-operators/framework';
import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { ensureTestCrd } from '../../../../test/support/crds.ts';
import { eventually } from '../../../../test/support/eventually.ts';

type Spec = { value: unknown };
type Condition = { type: string; status: string; reason: string; message: string };
type Status = { seen?: number; conditions?: Condition[]; observedGeneration?: number };
type Strict = KubeObject<Spec, Status>;

@Controller({ group: 'test.fedora-operators', version: 'v1', kind: 'Strict', plural: 'stricts' })
class StrictController {
  @OnCreate()
  @OnUpdate()
  async handle(ctx: HandlerContext<Spec, Status>) {
    // The schema allows only integers in status.seen: a string is rejected with 422.
    ctx.patch.status.seen = ctx.spec.value as number;
  }
}

let ns: TestNamespace;
let resource: ResourceRef;
let running: RunningOperator;

beforeAll(async () => {
  ns = await createTestNamespace('rejected');
  resource = await ensureTestCrd(ns.client, 'Strict', 'test.fedora-operators', {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    properties: { seen: { type: 'integer' } },
  });
  running = await startOperator([StrictController], { namespaces: [ns.name] });
});
afterAll(async () => {
  await running?.stop();
  await ns.dispose();
});

const condition = (o: Strict | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

test('a status the schema rejects shows as Stalled with a Warning Event, backs off, and recovers after a fix', async () => {
  const writes: number[] = [];
  const realPatch = KubeClient.prototype.mergePatch;
  const spy = jest.spyOn(KubeClient.prototype, 'mergePatch').mockImplementation(function (
    this: KubeClient,
    ...args: Parameters<KubeClient['mergePatch']>
  ) {
    if (args[2] === 'bad') writes.push(Date.now());
    return realPatch.apply(this, args) as ReturnType<KubeClient['mergePatch']>;
  });
  try {
    await ns.client.create(resource, {
      metadata: { name: 'bad', namespace: ns.name },
      spec: { value: 'not-a-number' },
    });
    const stalled = await waitForObject<Strict>(
      ns.client,
      resource,
      ns.name,
      'bad',
      (o) => condition(o, 'Stalled')?.status === 'True',
      { timeoutMs: 15_000, what: 'a Stalled condition' },
    );
    expect(condition(stalled, 'Ready')?.status).toBe('False');
    // The apiserver's own words, so the user knows which field is wrong.
    expect(condition(stalled, 'Stalled')?.message).toContain('status.seen');
    const events = await eventually(
      async () => {
        const list = await ns.client.list<KubeObject & { reason?: string; type?: string; note?: string }>(
          CoreResources.event,
          ns.name,
        );
        const ours = list.items.filter(
          (e) => (e.regarding as { name?: string })?.name === 'bad' && e.type === 'Warning',
        );
        return ours.length > 0 ? ours : undefined;
      },
      { what: 'a Warning Event about the rejected write' },
    );
    expect(events[0]?.note).toContain('status.seen');

    // Backoff, not a hot loop: count the writes to this object over 10 s.
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const rate = writes.filter((t) => t >= from).length / 10;
    process.stderr.write(`[rejected-writes] ${rate.toFixed(2)} writes/s to the rejected object\n`);
    expect(rate).toBeLessThan(0.8);
    expect(rate).toBeGreaterThan(0); // still retried
  } finally {
    spy.mockRestore();
  }

  await ns.client.mergePatch(resource, ns.name, 'bad', { spec: { value: 5 } });
  const fixed = await waitForObject<Strict>(
    ns.client,
    resource,
    ns.name,
    'bad',
    (o) => o?.status?.seen === 5 && condition(o, 'Ready')?.status === 'True',
    { timeoutMs: 90_000, what: 'the fixed object to be Ready' },
  );
  expect(condition(fixed, 'Stalled')?.status).toBe('False');
  expect(fixed?.status?.observedGeneration).toBe(fixed?.metadata.generation);
});
