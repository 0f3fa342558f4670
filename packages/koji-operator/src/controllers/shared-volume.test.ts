import type { KojiHub } from '../api/index.js';
import { sharedVolumeProblem } from './shared-volume.js';

const hub = (spec: Partial<NonNullable<KojiHub['spec']>> = {}): KojiHub => ({
  metadata: { name: 'mb-koji-hub', namespace: 'koji' },
  spec: {
    ca_cert_secret: 'ca',
    service_cert_secret: 'svc',
    postgres_secret: 'pg',
    mnt_pvc_name: 'koji-hub-mnt-pvc',
    ...spec,
  },
});
const claim = { metadata: { name: 'koji-hub-mnt-pvc' } };

describe("whether kojira's and the builders' shared_pvc can be the hub's /mnt/koji", () => {
  test("the persistent hub's claim, existing: yes", () => {
    expect(sharedVolumeProblem('koji-hub-mnt-pvc', claim, hub(), 'koji')).toBeUndefined();
  });

  test('a claim that does not exist: SharedVolumeMissing, naming the one the hub has', () => {
    const problem = sharedVolumeProblem('koji-hub-mnt-pvc', undefined, hub(), 'koji');
    expect(problem?.reason).toBe('SharedVolumeMissing');
    expect(problem?.message).toContain("KojiHub mb-koji-hub's /mnt/koji claim is koji-hub-mnt-pvc");
    expect(sharedVolumeProblem('x', undefined, undefined, 'koji')?.reason).toBe('SharedVolumeMissing');
  });

  test("a non-persistent hub's /mnt/koji cannot be shared, even if a claim of that name exists", () => {
    const problem = sharedVolumeProblem('koji-hub-mnt-pvc', claim, hub({ persistent: false }), 'koji');
    expect(problem?.reason).toBe('SharedVolumeMissing');
    expect(problem?.message).toContain('is not persistent');
  });

  test("a claim that exists but is not the hub's: SharedVolumeMismatch", () => {
    expect(sharedVolumeProblem('other', { metadata: { name: 'other' } }, hub(), 'koji')?.reason).toBe(
      'SharedVolumeMismatch',
    );
  });

  test('no KojiHub in the namespace (a hub elsewhere): an existing claim is enough', () => {
    expect(sharedVolumeProblem('mnt', { metadata: { name: 'mnt' } }, undefined, 'koji')).toBeUndefined();
  });
});
