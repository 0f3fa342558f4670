import { compareVersions, jobState, kojiVersionOfImage, planSchema } from './schema-plan.js';
import { schemaJob, schemaJobName } from './schema-job.js';

const v134 = 'quay.io/koji-operator/koji-hub:1.34.1-1';
const v135 = 'quay.io/koji-operator/koji-hub:1.35.3-2';

describe('the koji version of an image', () => {
  test('comes from a <koji version>-<build> tag', () => {
    expect(kojiVersionOfImage(v135)).toBe('1.35.3');
    expect(kojiVersionOfImage('registry.local:5000/koji-hub:1.36-1')).toBe('1.36');
    expect(kojiVersionOfImage('quay.io/fedora/koji-hub:latest')).toBeUndefined();
    expect(kojiVersionOfImage('koji-hub')).toBeUndefined();
  });
  test('versions compare numerically', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.35', '1.35.0')).toBe(0);
  });
});

describe('the schema step', () => {
  test('a new hub loads the schema with its image; Ready waits for the Job (SchemaPending), then it is recorded', () => {
    expect(planSchema({ image: v134, job: 'absent' })).toMatchObject({
      job: { kind: 'load', image: v134 },
      servingImage: v134,
      ready: false,
      reason: 'SchemaPending',
    });
    expect(planSchema({ image: v134, job: 'succeeded' })).toMatchObject({
      record: { version: '1.34.1', image: v134 },
      ready: true,
      reason: 'SchemaReady',
    });
  });

  test('a failed schema Job is SchemaFailed', () => {
    expect(planSchema({ image: v134, job: 'failed' })).toMatchObject({
      ready: false,
      reason: 'SchemaFailed',
    });
  });

  test('a recorded schema of the same version needs no Job', () => {
    const plan = planSchema({ image: v134, recorded: { version: '1.34.1', image: v134 }, job: 'absent' });
    expect(plan).toMatchObject({ ready: true, servingImage: v134 });
    expect(plan.job).toBeUndefined();
  });

  test('a version bump upgrades first, with the new image, while the old image keeps serving', () => {
    const recorded = { version: '1.34.1', image: v134 };
    expect(planSchema({ image: v135, recorded, job: 'running' })).toMatchObject({
      job: { kind: 'upgrade', image: v135, from: '1.34', to: '1.35' },
      servingImage: v134,
      ready: false,
      reason: 'SchemaUpgradePending',
    });
    expect(planSchema({ image: v135, recorded, job: 'succeeded' })).toMatchObject({
      servingImage: v135,
      record: { version: '1.35.3', image: v135 },
      ready: true,
    });
  });

  test('a failed upgrade keeps the old hub serving, and says so', () => {
    const plan = planSchema({ image: v135, recorded: { version: '1.34.1', image: v134 }, job: 'failed' });
    expect(plan).toMatchObject({ servingImage: v134, ready: false, reason: 'SchemaUpgradeFailed' });
    expect(plan.message).toContain('keeps serving');
  });

  test('no downgrade, and no guessing across tags without a version', () => {
    expect(
      planSchema({ image: v134, recorded: { version: '1.35.3', image: v135 }, job: 'absent' }),
    ).toMatchObject({
      servingImage: v135,
      reason: 'SchemaUpgradeFailed',
    });
    expect(
      planSchema({ image: 'x/koji-hub:latest', recorded: { version: '1.35.3', image: v135 }, job: 'absent' }),
    ).toMatchObject({ servingImage: v135, reason: 'SchemaVersionUnknown' });
  });

  test('the Job state comes from its conditions', () => {
    expect(jobState(undefined)).toBe('absent');
    expect(jobState({ status: {} })).toBe('running');
    expect(jobState({ status: { conditions: [{ type: 'Complete', status: 'True' }] } })).toBe('succeeded');
    expect(jobState({ status: { conditions: [{ type: 'Failed', status: 'True' }] } })).toBe('failed');
  });
});

describe('the schema Jobs', () => {
  test('each version step has its own Job; SQL failures fail it at once (exit 3), unreachable databases are retried', () => {
    const job = schemaJob(
      'mb-koji-hub',
      { kind: 'upgrade', image: v135, from: '1.34', to: '1.35' },
      'postgres',
      'kojiadmin',
    );
    expect(job.object.metadata.name).toBe('mb-koji-hub-db-upgrade-1-34-to-1-35');
    expect(schemaJobName('mb-koji-hub', { kind: 'load', image: v135 })).toBe('mb-koji-hub-db-schema');
    const spec = job.object.spec as {
      podFailurePolicy: { rules: { action: string; onExitCodes: { values: number[] } }[] };
      template: {
        spec: { restartPolicy: string; containers: { env: { name: string; value?: string }[] }[] };
      };
    };
    expect(spec.podFailurePolicy.rules).toEqual([
      expect.objectContaining({ action: 'FailJob', onExitCodes: expect.objectContaining({ values: [3] }) }),
    ]);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    const env = spec.template.spec.containers[0]?.env ?? [];
    expect(env.filter((e) => e.value !== undefined)).toEqual([
      { name: 'FROM', value: '1.34' },
      { name: 'TO', value: '1.35' },
    ]);
    // libpq's own variables, from the Secret; port and SSL mode only when the Secret has them.
    expect(env.map((e) => e.name)).toEqual(
      expect.arrayContaining(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSSLMODE']),
    );
  });
});
