// The watcher's state machine against a scripted transport: which requests it makes and
// what it emits for each way a list or a watch can end. The real apiserver is in
// test/watch/; these pin the cases that are hard to provoke there (HTTP 410, 5xx, parse errors).
import type { Subscription } from 'rxjs';
import { ApiError } from '../kube/errors.js';
import type { RequestInit } from '../kube/http.js';
import type { KubeObject, ObjectList } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import type { WatcherEvent } from './events.js';
import { watch$, type WatchRestartReason, type WatchTransport } from './watcher.js';

type Query = NonNullable<RequestInit['query']>;
/** One watch request: its lines, then a normal end, an error, or (hang) silence until aborted. */
type WatchScript = { lines?: unknown[]; error?: unknown; hang?: boolean };

class ScriptedTransport implements WatchTransport {
  readonly listQueries: Query[] = [];
  readonly watchQueries: Query[] = [];
  aborted = 0;

  constructor(
    private readonly pages: (ObjectList<KubeObject> | Error)[],
    private readonly watches: WatchScript[],
  ) {}

  request = async <T>(_method: string, _path: string, init: RequestInit = {}): Promise<T> => {
    this.listQueries.push(init.query ?? {});
    const page = this.pages.shift();
    if (page === undefined) throw new Error('the script has no more list pages');
    if (page instanceof Error) throw page;
    return page as T;
  };

  async *stream(_path: string, init: RequestInit = {}): AsyncGenerator<unknown> {
    this.watchQueries.push(init.query ?? {});
    const script = this.watches.shift() ?? { hang: true };
    for (const line of script.lines ?? []) yield line;
    if (script.error) throw script.error;
    if (script.hang) {
      await new Promise((_, reject) =>
        init.signal?.addEventListener('abort', () => {
          this.aborted++;
          reject(new Error('aborted'));
        }),
      );
    }
  }
}

const cm = (name: string, resourceVersion: string): KubeObject => ({
  metadata: { namespace: 'ns', name, resourceVersion },
});
const page = (resourceVersion: string, items: KubeObject[], next?: string): ObjectList<KubeObject> => ({
  metadata: { resourceVersion, continue: next },
  items,
});
const line = (type: string, object: unknown) => ({ type, object });
const gone = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' };

// A failed expectation must not leave a watch retrying into the next test.
const running: Subscription[] = [];
afterEach(() => running.splice(0).forEach((s) => s.unsubscribe()));

function start(transport: ScriptedTransport, options: Parameters<typeof watch$>[2] = {}) {
  const events: string[] = [];
  const restarts: WatchRestartReason[] = [];
  let relists = 0;
  const subscription: Subscription = watch$({ http: transport }, CoreResources.configMap, {
    namespace: 'ns',
    backoff: { initialMs: 1, maxMs: 5 },
    timeoutSeconds: 30,
    hooks: { onRestart: (reason) => restarts.push(reason), onRelist: () => relists++ },
    ...options,
  }).subscribe({
    next: (event: WatcherEvent) => events.push(describe(event)),
    error: (error: unknown) => events.push(`error ${String(error)}`),
    complete: () => events.push('complete'),
  });
  running.push(subscription);
  return { events, restarts, relists: () => relists, subscription };
}

function describe(event: WatcherEvent): string {
  if (event.type === 'init') return 'init';
  if (event.type === 'initDone') return `initDone@${event.resourceVersion}`;
  return `${event.type} ${event.object.metadata.name}@${event.object.metadata.resourceVersion}`;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('lists page by page, then watches from the list resourceVersion with bookmarks', async () => {
  const transport = new ScriptedTransport(
    [page('10', [cm('a', '5')], 'next-page'), page('10', [cm('b', '7')])],
    [
      {
        lines: [
          line('ADDED', cm('c', '11')),
          line('MODIFIED', cm('a', '12')),
          line('DELETED', cm('b', '13')),
        ],
      },
    ],
  );
  const run = start(transport, { labelSelector: 'app=x', pageSize: 1 });
  await until(() => run.events.length >= 7, 'the events');
  run.subscription.unsubscribe();

  expect(run.events).toEqual([
    'init',
    'initApply a@5',
    'initApply b@7',
    'initDone@10',
    'apply c@11',
    'apply a@12',
    'delete b@13',
  ]);
  expect(transport.listQueries).toEqual([
    expect.objectContaining({ limit: 1, labelSelector: 'app=x', continue: undefined }),
    expect.objectContaining({ limit: 1, labelSelector: 'app=x', continue: 'next-page' }),
  ]);
  expect(transport.watchQueries[0]).toEqual(
    expect.objectContaining({
      watch: 1,
      resourceVersion: '10',
      allowWatchBookmarks: true,
      timeoutSeconds: 30,
      labelSelector: 'app=x',
    }),
  );
});

test('list items get apiVersion and kind, as watch events have them', async () => {
  const transport = new ScriptedTransport([page('10', [cm('a', '5')])], []);
  const objects: KubeObject[] = [];
  const subscription = watch$({ http: transport }, CoreResources.configMap).subscribe((event) => {
    if (event.type === 'initApply') objects.push(event.object);
  });
  running.push(subscription);
  await until(() => objects.length === 1, 'the list');
  subscription.unsubscribe();
  expect(objects[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
});

test('a watch that ends normally resumes from the last resourceVersion, bookmarks included, without relisting', async () => {
  const transport = new ScriptedTransport(
    [page('10', [])],
    [
      { lines: [line('ADDED', cm('a', '11')), line('BOOKMARK', { metadata: { resourceVersion: '20' } })] },
      { lines: [line('MODIFIED', cm('a', '21'))] },
    ],
  );
  const run = start(transport);
  await until(() => transport.watchQueries.length === 3, 'the third watch request');
  run.subscription.unsubscribe();
  expect(transport.watchQueries.map((q) => q.resourceVersion)).toEqual(['10', '20', '21']);
  expect(run.events).toEqual(['init', 'initDone@10', 'apply a@11', 'apply a@21']);
  expect(run.restarts).toEqual([]);
  expect(transport.listQueries).toHaveLength(1);
});

test.each([
  ['an ERROR event with code 410', { lines: [line('ERROR', gone)] }],
  ['an HTTP 410 answer', { error: new ApiError(410, 'Expired', 'too old resource version') }],
])('%s relists: init, the full list, initDone again', async (_case, expired: WatchScript) => {
  const transport = new ScriptedTransport(
    [page('10', [cm('a', '5')]), page('30', [cm('b', '25')])],
    [{ lines: [line('ADDED', cm('c', '11'))] }, expired],
  );
  const run = start(transport);
  await until(() => run.events.includes('initDone@30'), 'the relist');
  await until(() => transport.watchQueries.length === 3, 'the watch after the relist');
  run.subscription.unsubscribe();
  expect(run.events).toEqual([
    'init',
    'initApply a@5',
    'initDone@10',
    'apply c@11',
    'init',
    'initApply b@25',
    'initDone@30',
  ]);
  expect(transport.watchQueries.map((q) => q.resourceVersion)).toEqual(['10', '11', '30']);
  expect(run.restarts).toEqual(['expired']);
  expect(run.relists()).toBe(1);
});

test('an expired continue token restarts the list from its first page', async () => {
  const transport = new ScriptedTransport(
    [
      page('10', [cm('a', '5')], 'old-token'),
      new ApiError(410, 'Expired', 'The provided continue parameter is too old'),
      page('40', [cm('a', '5')], 'new-token'),
      page('40', [cm('b', '33')]),
    ],
    [],
  );
  const run = start(transport);
  await until(() => run.events.includes('initDone@40'), 'the list');
  run.subscription.unsubscribe();
  expect(run.events).toEqual([
    'init',
    'initApply a@5',
    'init',
    'initApply a@5',
    'initApply b@33',
    'initDone@40',
  ]);
  expect(transport.listQueries.map((q) => q.continue)).toEqual([
    undefined,
    'old-token',
    undefined,
    'new-token',
  ]);
  expect(run.restarts).toEqual(['expired']);
  expect(run.relists()).toBe(0);
});

test.each([
  ['a 500', new ApiError(500, 'InternalError', 'etcd is down')],
  ['a 429', new ApiError(429, 'TooManyRequests', 'slow down')],
  ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ['a malformed line', new SyntaxError('Unexpected token < in JSON')],
])(
  '%s reconnects after a backoff from the same resourceVersion, never erroring out',
  async (_case, error) => {
    const transport = new ScriptedTransport(
      [page('10', [])],
      [
        { lines: [line('ADDED', cm('a', '11'))], error },
        { error },
        { lines: [line('ADDED', cm('b', '12'))] },
      ],
    );
    const run = start(transport);
    await until(() => run.events.includes('apply b@12'), 'the event after the reconnects');
    run.subscription.unsubscribe();
    expect(transport.watchQueries.map((q) => q.resourceVersion).slice(0, 3)).toEqual(['10', '11', '11']);
    expect(run.restarts).toEqual(['error', 'error']);
    expect(transport.listQueries).toHaveLength(1);
    expect(run.events).not.toContainEqual(expect.stringMatching(/^(error|complete)/));
  },
);

test('an ERROR event other than 410 backs off and resumes without relisting', async () => {
  const status = { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' };
  const transport = new ScriptedTransport([page('10', [])], [{ lines: [line('ERROR', status)] }]);
  const run = start(transport);
  await until(() => transport.watchQueries.length === 2, 'the second watch');
  run.subscription.unsubscribe();
  expect(run.restarts).toEqual(['error']);
  expect(transport.watchQueries.map((q) => q.resourceVersion)).toEqual(['10', '10']);
});

test('a list that fails is retried with backoff', async () => {
  const transport = new ScriptedTransport(
    [new ApiError(503, 'ServiceUnavailable', 'not ready'), page('10', [cm('a', '5')])],
    [],
  );
  const run = start(transport);
  await until(() => run.events.includes('initDone@10'), 'the list');
  run.subscription.unsubscribe();
  expect(run.events).toEqual(['init', 'init', 'initApply a@5', 'initDone@10']);
  expect(run.restarts).toEqual(['error']);
});

test('a watch that ends at once without events counts as a failure, so it cannot hot-loop', async () => {
  const transport = new ScriptedTransport([page('10', [])], [{}, {}, {}]);
  const run = start(transport);
  await until(() => transport.watchQueries.length === 4, 'the fourth watch');
  run.subscription.unsubscribe();
  expect(run.restarts).toEqual(['error', 'error', 'error']);
});

test('the watchdog aborts a silent watch and watches again from the same resourceVersion', async () => {
  const transport = new ScriptedTransport(
    [page('10', [])],
    [{ lines: [line('ADDED', cm('a', '11'))], hang: true }, { hang: true }],
  );
  const run = start(transport, { inactivitySeconds: 0.05 });
  await until(() => transport.watchQueries.length === 3, 'two watchdog restarts');
  run.subscription.unsubscribe();
  expect(run.restarts).toEqual(['inactivity', 'inactivity']);
  expect(transport.watchQueries.map((q) => q.resourceVersion)).toEqual(['10', '11', '11']);
  expect(transport.listQueries).toHaveLength(1);
});

test('unsubscribing aborts the request in flight', async () => {
  const transport = new ScriptedTransport([page('10', [])], [{ hang: true }]);
  const run = start(transport);
  await until(() => transport.watchQueries.length === 1, 'the watch');
  run.subscription.unsubscribe();
  await until(() => transport.aborted === 1, 'the abort');
  expect(run.events).toEqual(['init', 'initDone@10']);
});
