// The shared informer against a scripted transport: one list-then-watch for any number of
// subscribers, a late subscriber gets the cache, the watch stops with the last subscriber,
// metadata-only content, and the relist that upgrades it to full content.
import type { RequestInit } from '../kube/http.js';
import type { KubeObject, ObjectList } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import type { ObjectEvent } from './events.js';
import { InformerFactory } from './informer-factory.js';
import type { WatchTransport } from './watcher.js';

class Transport implements WatchTransport {
  lists = 0;
  watches = 0;
  open = 0;
  constructor(private readonly items: () => KubeObject[]) {}

  request = async <T>(): Promise<T> => {
    this.lists++;
    return { metadata: { resourceVersion: '10' }, items: this.items() } satisfies ObjectList<KubeObject> as T;
  };

  async *stream(_path: string, init: RequestInit = {}): AsyncGenerator<unknown> {
    this.watches++;
    this.open++;
    try {
      await new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    } finally {
      this.open--;
    }
    yield* [];
  }
}

const cm = (name: string): KubeObject => ({
  metadata: { namespace: 'ns', name, resourceVersion: '5', annotations: { a: '1' } },
  data: { big: 'x'.repeat(1000) },
});
const settle = () => new Promise((r) => setTimeout(r, 20));
const describe = (events: ObjectEvent[]) =>
  events.map((e) => (e.type === 'synced' ? 'synced' : `${e.type} ${e.object.metadata.name}`));

test('subscribers share one list and one watch; a late one gets the cache; the last one stops it', async () => {
  const transport = new Transport(() => [cm('a'), cm('b')]);
  const factory = new InformerFactory({ client: { http: transport } });
  const scope = { resource: CoreResources.configMap, namespace: 'ns' };
  const first: ObjectEvent[] = [];
  const late: ObjectEvent[] = [];
  const s1 = factory.informer(scope).events$.subscribe((e) => first.push(e));
  await settle();
  const s2 = factory.informer(scope).events$.subscribe((e) => late.push(e));
  await settle();
  expect(transport.lists).toBe(1);
  expect(transport.open).toBe(1);
  expect(describe(first)).toEqual(['upsert a', 'upsert b', 'synced']);
  expect(describe(late)).toEqual(['upsert a', 'upsert b', 'synced']);
  s1.unsubscribe();
  await settle();
  expect(transport.open).toBe(1);
  s2.unsubscribe();
  await settle();
  expect(transport.open).toBe(0);
  expect(factory.get(scope)).toBeUndefined();
});

test('a metadata-only cache keeps no content, and relists when a reader needs the full objects', async () => {
  const transport = new Transport(() => [cm('a')]);
  const factory = new InformerFactory({ client: { http: transport } });
  const scope = { resource: CoreResources.configMap, namespace: 'ns' };
  const slim = factory.informer(scope, 'metadata');
  const s1 = slim.events$.subscribe();
  await settle();
  expect(slim.cache.get('ns', 'a')).toEqual({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: 'ns', name: 'a', resourceVersion: '5', annotations: { a: '1' } },
  });
  const full = factory.informer(scope, 'full');
  expect(full).toBe(slim);
  const seen: ObjectEvent[] = [];
  const s2 = full.events$.subscribe((e) => seen.push(e));
  await settle();
  expect(transport.lists).toBe(2);
  expect(transport.open).toBe(1);
  expect(full.cache.get('ns', 'a')?.data).toEqual({ big: 'x'.repeat(1000) });
  // Unchanged by the relist, yet the new reader is told what is there.
  expect(describe(seen)).toEqual(['upsert a', 'synced']);
  s1.unsubscribe();
  s2.unsubscribe();
});

test('the cache answers for one namespace from its index', async () => {
  const objects = [cm('a'), { ...cm('b'), metadata: { ...cm('b').metadata, namespace: 'other' } }];
  const factory = new InformerFactory({ client: { http: new Transport(() => objects) } });
  const informer = factory.informer({ resource: CoreResources.configMap });
  const s = informer.events$.subscribe();
  await settle();
  expect(informer.cache.inNamespace('other').map((o) => o.metadata.name)).toEqual(['b']);
  expect(informer.cache.inNamespace('none')).toEqual([]);
  s.unsubscribe();
});
