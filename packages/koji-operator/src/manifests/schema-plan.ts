// The koji database schema across image versions, decided purely from the wanted hub image,
// what status.schema recorded, and the state of the Job for this step:
//   - nothing recorded: a `load` Job (schema.sql into an empty database) for the wanted image;
//     the hub's pods run that image meanwhile (they answer "server startup error" until the
//     schema is there, and Ready says SchemaPending);
//   - recorded version = the image's: done;
//   - recorded version older: an `upgrade` Job, in the new image, runs its
//     schema-upgrade-<from>-<to>.sql files from the recorded version to the new one, in order;
//     until it succeeds the Deployment keeps the recorded (old) image, so new hub pods never
//     meet an old schema; a failed upgrade keeps the old hub serving (SchemaUpgradeFailed).
// The koji version comes from the image tag (<registry>/<name>:<koji version>-<build>, the
// image contract's naming); a tag without one cannot be upgraded across and is reported.
export type SchemaJobState = 'absent' | 'running' | 'succeeded' | 'failed';

export interface SchemaRecord {
  /** The koji version whose schema the database has, e.g. 1.35.3 ('' when the tag had none). */
  version: string;
  /** The hub image that applied it: the one that serves while an upgrade runs. */
  image: string;
}

export interface SchemaJobSpec {
  kind: 'load' | 'upgrade';
  image: string;
  /** koji major.minor the upgrade starts from and ends at (schema-upgrade file names use these). */
  from?: string;
  to?: string;
}

export type SchemaReason =
  | 'SchemaReady'
  | 'SchemaPending'
  | 'SchemaFailed'
  | 'SchemaUpgradePending'
  | 'SchemaUpgradeFailed'
  | 'SchemaVersionUnknown';

export interface SchemaPlan {
  /** The Job this step needs (undefined: none, the schema is current). */
  job?: SchemaJobSpec;
  /** The image the hub's Deployment runs now. */
  servingImage: string;
  /** What status.schema becomes (undefined: unchanged). */
  record?: SchemaRecord;
  ready: boolean;
  reason: SchemaReason;
  message: string;
}

/** The koji version in an image tag: `...:1.35.3-1` -> 1.35.3; undefined without one. */
export function kojiVersionOfImage(image: string): string | undefined {
  const tag = /:([^/:@]+)(@.*)?$/.exec(image)?.[1];
  return /^(\d+\.\d+(?:\.\d+)?)(?:-[\w.]+)?$/.exec(tag ?? '')?.[1];
}

/** 1.35.3 -> 1.35: koji names its schema-upgrade files by major.minor. */
export const schemaSeries = (version: string): string => version.split('.').slice(0, 2).join('.');

/** Compares dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function planSchema(input: {
  image: string;
  recorded?: SchemaRecord;
  job: SchemaJobState;
}): SchemaPlan {
  const { image, recorded, job } = input;
  const version = kojiVersionOfImage(image) ?? '';
  if (!recorded) {
    const load: SchemaJobSpec = { kind: 'load', image };
    if (job === 'succeeded') {
      return {
        servingImage: image,
        job: load,
        record: { version, image },
        ready: true,
        reason: 'SchemaReady',
        message: `koji schema ${version || '(version not in the image tag)'} loaded`,
      };
    }
    if (job === 'failed') {
      return {
        servingImage: image,
        job: load,
        ready: false,
        reason: 'SchemaFailed',
        message:
          'the schema Job failed: see its pod log (kubectl logs job/<hub>-db-schema); the hub cannot serve without a schema',
      };
    }
    return {
      servingImage: image,
      job: load,
      ready: false,
      reason: 'SchemaPending',
      message: 'loading the koji schema into the database (the schema Job has not succeeded yet)',
    };
  }
  if (recorded.image === image || (version && recorded.version === version)) {
    return {
      servingImage: image,
      ready: true,
      reason: 'SchemaReady',
      message: `koji schema ${recorded.version || recorded.image} is current`,
    };
  }
  if (!version || !recorded.version) {
    return {
      servingImage: recorded.image,
      ready: false,
      reason: 'SchemaVersionUnknown',
      message: `cannot tell which schema upgrades ${image} needs after ${recorded.image}: image tags must carry the koji version (<name>:<koji version>-<build>); the old hub keeps serving`,
    };
  }
  if (compareVersions(version, recorded.version) < 0) {
    return {
      servingImage: recorded.image,
      ready: false,
      reason: 'SchemaUpgradeFailed',
      message: `${image} has koji ${version}, older than the database's schema ${recorded.version}: koji has no downgrades; the old hub keeps serving`,
    };
  }
  const upgrade: SchemaJobSpec = {
    kind: 'upgrade',
    image,
    from: schemaSeries(recorded.version),
    to: schemaSeries(version),
  };
  if (job === 'succeeded') {
    return {
      servingImage: image,
      job: upgrade,
      record: { version, image },
      ready: true,
      reason: 'SchemaReady',
      message: `koji schema upgraded from ${recorded.version} to ${version}`,
    };
  }
  if (job === 'failed') {
    return {
      servingImage: recorded.image,
      job: upgrade,
      ready: false,
      reason: 'SchemaUpgradeFailed',
      message: `the schema upgrade from ${recorded.version} to ${version} failed (see the upgrade Job's pod log); the old hub (${recorded.image}) keeps serving`,
    };
  }
  return {
    servingImage: recorded.image,
    job: upgrade,
    ready: false,
    reason: 'SchemaUpgradePending',
    message: `upgrading the koji schema from ${recorded.version} to ${version} before the new hub pods roll out; the old hub (${recorded.image}) keeps serving`,
  };
}

/** The Job's state from its status conditions (batch/v1). */
export function jobState(job: { status?: unknown } | undefined): SchemaJobState {
  if (!job) return 'absent';
  const conditions =
    (job.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'succeeded';
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return 'failed';
  return 'running';
}
