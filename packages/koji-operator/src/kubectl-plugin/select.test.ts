import { PluginError } from './messages.js';
import {
  hubPodSelector,
  isPodReady,
  requireSidecar,
  selectHub,
  selectPod,
  type PodObject,
} from './select.js';

const hub = (name: string, sidecar?: boolean) => ({
  metadata: { name },
  spec: sidecar === undefined ? {} : { sidecar },
});
const pod = (
  name: string,
  opts: { ready?: boolean; admin?: boolean; created?: string; deleting?: boolean } = {},
): PodObject => ({
  metadata: {
    name,
    creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z',
    ...(opts.deleting ? { deletionTimestamp: '2025-01-02T00:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'hub' }, ...(opts.admin === false ? [] : [{ name: 'koji-admin' }])] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

function thrown(fn: () => unknown): PluginError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PluginError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('selectHub', () => {
  test('the only KojiHub of the namespace, or the one --hub names', () => {
    expect(selectHub([hub('a')], 'koji')).toEqual(hub('a'));
    expect(selectHub([hub('a'), hub('b')], 'koji', 'b')).toEqual(hub('b'));
  });

  test('none, several without --hub, or an unknown --hub: exit 65', () => {
    expect(thrown(() => selectHub([], 'koji'))).toMatchObject({
      exitCode: 65,
      message: expect.stringContaining('no KojiHub'),
    });
    expect(thrown(() => selectHub([hub('b'), hub('a')], 'koji')).message).toContain('has 2 KojiHubs (a, b)');
    expect(thrown(() => selectHub([hub('a')], 'koji', 'c')).message).toContain('KojiHub "c" was not found');
  });
});

describe('requireSidecar', () => {
  test('passes only for spec.sidecar: true; false or absent give the patch command (66)', () => {
    expect(() => requireSidecar(hub('a', true), 'koji')).not.toThrow();
    for (const h of [hub('a', false), hub('a')]) {
      const error = thrown(() => requireSidecar(h, 'koji'));
      expect(error.exitCode).toBe(66);
      expect(error.message).toContain(
        `kubectl patch kojihub a -n koji --type merge -p '{"spec":{"sidecar":true}}'`,
      );
    }
  });
});

describe('selectPod', () => {
  test('the label selector of a KojiHub', () => {
    expect(hubPodSelector('h')).toBe('app.kubernetes.io/name=koji-hub,app.kubernetes.io/instance=h');
  });

  test('Ready means Running, the Ready condition True and not being deleted', () => {
    expect(isPodReady(pod('a'))).toBe(true);
    expect(isPodReady(pod('a', { ready: false }))).toBe(false);
    expect(isPodReady(pod('a', { deleting: true }))).toBe(false);
    expect(isPodReady({ ...pod('a'), status: { phase: 'Pending', conditions: [] } })).toBe(false);
  });

  test('the newest Ready pod with the koji-admin container', () => {
    expect(
      selectPod(
        [
          pod('old', { created: '2025-01-01T00:00:00Z' }),
          pod('new', { created: '2025-01-03T00:00:00Z' }),
          pod('newest-not-ready', { created: '2025-01-04T00:00:00Z', ready: false }),
          pod('no-admin', { created: '2025-01-05T00:00:00Z', admin: false }),
        ],
        'h',
        'koji',
      ),
    ).toBe('new');
  });

  test('no Ready pod (67), or Ready pods without koji-admin yet (68)', () => {
    expect(thrown(() => selectPod([pod('a', { ready: false })], 'h', 'koji'))).toMatchObject({
      exitCode: 67,
      message: expect.stringContaining('its pods: a (Running, not Ready)'),
    });
    expect(thrown(() => selectPod([], 'h', 'koji')).exitCode).toBe(67);
    expect(thrown(() => selectPod([pod('a', { admin: false })], 'h', 'koji'))).toMatchObject({
      exitCode: 68,
      message: expect.stringContaining('its Ready pod (a) has no koji-admin container yet'),
    });
  });
});
