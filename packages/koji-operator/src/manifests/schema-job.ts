// The Jobs that bring koji's database schema to the hub image's version (schema-plan.ts decides
// which): `load` puts schema.sql into an empty database and makes the first admin; `upgrade`
// runs the image's schema-upgrade-<from>-<to>.sql files from the recorded version to the new
// one, in version order, each in one transaction. Both run in the hub image (it has psql and
// koji's SQL files) with libpq's PG* variables from the postgres Secret.
// How they fail: a database that cannot be reached exits 1 and is retried by the Job (the
// database may still be starting); SQL that fails, or SQL files missing from the image, exit 3,
// which fails the Job at once (podFailurePolicy): retrying the same SQL cannot help, and the
// KojiHub then says SchemaFailed / SchemaUpgradeFailed.
import type { EnvVar } from './pod.js';
import { labelsFor } from './labels.js';
import { child, Resources, type Child } from './resources.js';
import type { SchemaJobSpec } from './schema-plan.js';
import { containerSecurityContext, contractPod, initResources } from './contract-pod.js';

/** Exit status of a schema step that retrying cannot fix. */
export const permanentFailureExit = 3;

/** libpq's variables from the postgres Secret; PORT and SSLMODE only when the Secret has them. */
export function postgresEnv(secret: string): EnvVar[] {
  const required = [
    ['PGHOST', 'POSTGRES_HOST'],
    ['PGDATABASE', 'POSTGRES_DB'],
    ['PGUSER', 'POSTGRES_USER'],
    ['PGPASSWORD', 'POSTGRES_PASSWORD'],
  ];
  const optional = [
    ['PGPORT', 'POSTGRES_PORT'],
    ['PGSSLMODE', 'POSTGRES_SSLMODE'],
    ['PGSSLROOTCERT', 'POSTGRES_SSLROOTCERT'],
    ['PGCONNECT_TIMEOUT', 'POSTGRES_CONNECT_TIMEOUT'],
  ];
  // The password never lands in hub.conf or a ConfigMap.
  return [
    ...required.map(([name, key]) => ({
      name: name as string,
      valueFrom: { secretKeyRef: { name: secret, key: key as string } },
    })),
    ...optional.map(([name, key]) => ({
      name: name as string,
      valueFrom: { secretKeyRef: { name: secret, key: key as string, optional: true } },
    })),
  ];
}

// Where koji's packages put its SQL files; KOJI_SCHEMA_DIR first (tests, custom images).
const sqlDirs = '${KOJI_SCHEMA_DIR:-} /usr/share/koji /usr/share/doc/koji/docs /usr/share/doc/koji*/docs';

const reachable = `if ! psql -X -v ON_ERROR_STOP=1 -tAc 'SELECT 1' >/dev/null; then
  echo "the database cannot be reached (PGHOST=\${PGHOST:-}); retrying" >&2; exit 1
fi`;

// The schema loads in one transaction and fails on a loaded database, so it is loaded only
// while the `users` table is missing; then the admin (the CN of the admin certificate) is
// upserted with the `admin` permission (user_perms.creator_id is NOT NULL: the admin itself).
export const loadScript = `set -eu
${reachable}
loaded=$(psql -X -v ON_ERROR_STOP=1 -tAc "SELECT to_regclass('public.users') IS NOT NULL")
if [ "$loaded" = t ]; then
  echo "koji schema already loaded"
else
  schema=
  for d in ${sqlDirs}; do
    if [ -n "$d" ] && [ -f "$d/schema.sql" ]; then schema=$d/schema.sql; break; fi
  done
  if [ -z "$schema" ]; then echo "schema.sql not found in the image" >&2; exit ${permanentFailureExit}; fi
  psql -X -v ON_ERROR_STOP=1 --single-transaction -f "$schema" || exit ${permanentFailureExit}
fi
if [ -n "\${KOJI_ADMIN:-}" ]; then
  psql -X -v ON_ERROR_STOP=1 -v admin="$KOJI_ADMIN" <<'SQL' || exit ${permanentFailureExit}
INSERT INTO users (name, status, usertype) VALUES (:'admin', 0, 0) ON CONFLICT DO NOTHING;
INSERT INTO user_perms (user_id, perm_id, creator_id)
  SELECT u.id, p.id, u.id FROM users u, permissions p
  WHERE u.name = :'admin' AND p.name = 'admin'
    AND NOT EXISTS (SELECT 1 FROM user_perms up WHERE up.user_id = u.id AND up.perm_id = p.id AND up.active);
SQL
fi
`;

// koji names its upgrade files schema-upgrade-<from>-<to>.sql by major.minor (1.34-1.35). The
// ones with FROM <= from and to <= TO are applied, ordered by `from` (sort -V), each in one
// transaction; an upgrade already applied fails on its first statement, which is why the
// operator runs this only for a version step it has not recorded.
export const upgradeScript = `set -eu
: "\${FROM:?}" "\${TO:?}"
${reachable}
dir=
for d in ${sqlDirs}; do
  if [ -n "$d" ] && ls "$d"/schema-upgrade-*.sql >/dev/null 2>&1; then dir=$d; break; fi
done
if [ -z "$dir" ]; then echo "no schema-upgrade-*.sql files in the image" >&2; exit ${permanentFailureExit}; fi
le() { [ "$(printf '%s\\n%s\\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }
list=$(mktemp)
for f in "$dir"/schema-upgrade-*.sql; do
  step=$(basename "$f" .sql); step=\${step#schema-upgrade-}
  from=\${step%%-*}; to=\${step#*-}
  if le "$FROM" "$from" && le "$to" "$TO" && [ "$from" != "$to" ]; then echo "$from $f"; fi
done | sort -V -k 1,1 >"$list"
if [ ! -s "$list" ]; then echo "no schema upgrade from $FROM to $TO in $dir: nothing to apply"; fi
while read -r _ f; do
  echo "applying $f"
  psql -X -v ON_ERROR_STOP=1 --single-transaction -f "$f" || { echo "$f failed" >&2; exit ${permanentFailureExit}; }
done <"$list"
echo "koji schema upgraded from $FROM to $TO"
`;

export function schemaJobName(hub: string, job: SchemaJobSpec): string {
  if (job.kind === 'load') return `${hub}-db-schema`;
  const dashed = (v: string | undefined) => (v ?? '').replace(/\./g, '-');
  return `${hub}-db-upgrade-${dashed(job.from)}-to-${dashed(job.to)}`;
}

export function schemaJob(
  hub: string,
  job: SchemaJobSpec,
  postgresSecret: string,
  adminUser: string | undefined,
): Child {
  // Not the hub's selector labels: the Service and `kubectl koji` must not pick this pod.
  const labels = { ...labelsFor('koji-hub', hub), 'app.kubernetes.io/name': 'koji-hub-db-schema' };
  const env: EnvVar[] = [
    ...postgresEnv(postgresSecret),
    ...(job.kind === 'load' && adminUser ? [{ name: 'KOJI_ADMIN', value: adminUser }] : []),
    ...(job.kind === 'upgrade'
      ? [
          { name: 'FROM', value: job.from ?? '' },
          { name: 'TO', value: job.to ?? '' },
        ]
      : []),
  ];
  return child(Resources.job, {
    metadata: { name: schemaJobName(hub, job), labels },
    spec: {
      backoffLimit: 20,
      podFailurePolicy: {
        rules: [
          {
            action: 'FailJob',
            onExitCodes: { containerName: 'db-schema', operator: 'In', values: [permanentFailureExit] },
          },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          // podFailurePolicy needs Never: each retry is a new pod.
          restartPolicy: 'Never',
          enableServiceLinks: false,
          // The hub image's user, least privilege: the Job passes the restricted Pod Security level.
          ...contractPod('koji-hub', {}),
          containers: [
            {
              name: 'db-schema',
              image: job.image,
              command: ['/bin/sh', '-c', job.kind === 'load' ? loadScript : upgradeScript],
              env,
              securityContext: containerSecurityContext('koji-hub'),
              resources: initResources,
            },
          ],
        },
      },
    },
  });
}
