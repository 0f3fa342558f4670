// `fedora-operator run ./dist/main.js --namespace koji --health-port 8080 ...`: runs an operator
// module so an operator image needs no boilerplate. Every option can also come from the
// environment (OPERATOR_NAMESPACES=a,b, OPERATOR_HEALTH_PORT=8080, ...). SIGTERM and SIGINT stop
// the operator gracefully (running handlers finish within the grace period, the Lease is
// released) and the process exits 0.
//
// The module's default export is either a list of controller classes (or [Class, ...deps]
// entries), or a function that receives the Operator and registers them itself. It may also
// export `options`: its own Operator defaults, under the command line's.
import { parseArgs } from 'node:util';
import { createLogger } from '../logging/logger.js';
import { Operator, type OperatorOptions } from '../runtime/operator.js';
import { loadOperatorModule } from './operator-module.js';
import { UsageError } from './usage-error.js';

export const runUsage = `usage: fedora-operator run <module> [options]
  --name <name>                 operator name (field manager, Events, Lease)       [OPERATOR_NAME]
  --namespace <ns>              namespace to serve; repeat for several; default all [OPERATOR_NAMESPACES=a,b]
  --health-port <port>          serve /healthz, /readyz, /metrics                  [OPERATOR_HEALTH_PORT]
  --concurrency <n>             objects processed at once, all controllers together [OPERATOR_CONCURRENCY]
  --resync-seconds <s>          periodic resync of every cached object             [OPERATOR_RESYNC_SECONDS]
  --state-storage <mode>        where handled changes are recorded: auto|annotations [OPERATOR_STATE_STORAGE]
  --leader-elect                run handlers only while holding the Lease          [OPERATOR_LEADER_ELECT=true]
  --shards <auto|n>             spread objects over the replicas (auto: as many    [OPERATOR_SHARDS]
                                as the Deployment has); excludes --leader-elect
  --shard-key <uid|namespace>   what objects are spread by, default uid            [OPERATOR_SHARD_KEY]
  --shard-settle <s>            first assignment waits this long for the replicas  [OPERATOR_SHARD_SETTLE]
  --lease-namespace <ns>        namespace of the Lease(s)                          [OPERATOR_LEASE_NAMESPACE, POD_NAMESPACE]
  --lease-name <name>           default <name>-leader                              [OPERATOR_LEASE_NAME]
  --lease-duration <s>          default 15                                         [OPERATOR_LEASE_DURATION]
  --renew-deadline <s>          default 10                                         [OPERATOR_RENEW_DEADLINE]
  --retry-period <s>            default 2                                          [OPERATOR_RETRY_PERIOD]
  --grace-period <s>            shutdown grace for running handlers, default 30    [OPERATOR_GRACE_PERIOD]
  --kubeconfig <file>           default KUBECONFIG, ~/.kube/config, or in-cluster
  --log-level <level>           default info                                       [LOG_LEVEL]
  --log-format <json|text>      default json                                       [LOG_FORMAT]`;

export function parseCommandLine(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { module: string; options: OperatorOptions; leaseNameGiven: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'health-port': { type: 'string' },
      concurrency: { type: 'string' },
      'resync-seconds': { type: 'string' },
      'state-storage': { type: 'string' },
      'leader-elect': { type: 'boolean' },
      shards: { type: 'string' },
      'shard-key': { type: 'string' },
      'shard-settle': { type: 'string' },
      'lease-namespace': { type: 'string' },
      'lease-name': { type: 'string' },
      'lease-duration': { type: 'string' },
      'renew-deadline': { type: 'string' },
      'retry-period': { type: 'string' },
      'grace-period': { type: 'string' },
      kubeconfig: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError(runUsage, 0);
  const [command, module] = positionals;
  if (command !== 'run' || !module) throw new UsageError(runUsage, 2);
  const num = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new UsageError(`--${flag} must be a number >= 0, got '${value}'`, 2);
    return n;
  };
  const name = values.name ?? env.OPERATOR_NAME;
  const stateStorage = values['state-storage'] ?? env.OPERATOR_STATE_STORAGE;
  if (stateStorage !== undefined && stateStorage !== 'auto' && stateStorage !== 'annotations')
    throw new UsageError(`--state-storage takes auto or annotations, got '${stateStorage}'`, 2);
  const namespaces =
    values.namespace ?? (env.OPERATOR_NAMESPACES ? env.OPERATOR_NAMESPACES.split(',').filter(Boolean) : []);
  const leaderElect = values['leader-elect'] ?? env.OPERATOR_LEADER_ELECT === 'true';
  const leaseNamespace =
    values['lease-namespace'] ?? env.OPERATOR_LEASE_NAMESPACE ?? env.POD_NAMESPACE ?? namespaces[0];
  if (leaderElect && !leaseNamespace)
    throw new UsageError('--leader-elect needs --lease-namespace (or POD_NAMESPACE)', 2);
  const shards = values.shards ?? env.OPERATOR_SHARDS;
  const shardKey = values['shard-key'] ?? env.OPERATOR_SHARD_KEY;
  if (shards !== undefined) {
    if (leaderElect) throw new UsageError('--shards and --leader-elect exclude each other', 2);
    if (shards !== 'auto' && !/^[1-9][0-9]*$/.test(shards))
      throw new UsageError(`--shards takes auto or a whole number >= 1, got '${shards}'`, 2);
    if (!leaseNamespace) throw new UsageError('--shards needs --lease-namespace (or POD_NAMESPACE)', 2);
    if (shardKey !== undefined && shardKey !== 'uid' && shardKey !== 'namespace')
      throw new UsageError(`--shard-key takes uid or namespace, got '${shardKey}'`, 2);
  }
  const timings = {
    leaseDurationSeconds: num('lease-duration', values['lease-duration'] ?? env.OPERATOR_LEASE_DURATION),
    renewDeadlineSeconds: num('renew-deadline', values['renew-deadline'] ?? env.OPERATOR_RENEW_DEADLINE),
    retryPeriodSeconds: num('retry-period', values['retry-period'] ?? env.OPERATOR_RETRY_PERIOD),
  };
  const format = values['log-format'] ?? env.LOG_FORMAT;
  return {
    module,
    leaseNameGiven: (values['lease-name'] ?? env.OPERATOR_LEASE_NAME) !== undefined,
    options: {
      name,
      namespaces,
      kubeconfig: values.kubeconfig,
      healthPort: num('health-port', values['health-port'] ?? env.OPERATOR_HEALTH_PORT),
      concurrency: num('concurrency', values.concurrency ?? env.OPERATOR_CONCURRENCY),
      resyncSeconds: num('resync-seconds', values['resync-seconds'] ?? env.OPERATOR_RESYNC_SECONDS),
      stateStorage,
      gracePeriodSeconds: num('grace-period', values['grace-period'] ?? env.OPERATOR_GRACE_PERIOD),
      leaderElection: leaderElect
        ? {
            namespace: leaseNamespace as string,
            name: values['lease-name'] ?? env.OPERATOR_LEASE_NAME ?? `${name ?? 'operator'}-leader`,
            ...timings,
          }
        : undefined,
      sharding:
        shards !== undefined
          ? {
              shards: shards === 'auto' ? 'auto' : Number(shards),
              key: shardKey as 'uid' | 'namespace' | undefined,
              leaseNamespace,
              settleSeconds: num('shard-settle', values['shard-settle'] ?? env.OPERATOR_SHARD_SETTLE),
              ...timings,
            }
          : undefined,
      logger: createLogger({
        level: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
        format: format === 'text' ? 'text' : 'json',
      }),
    },
  };
}

/** `fedora-operator run <module> [options]`: runs until SIGTERM/SIGINT; resolves to the exit code. */
export async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommandLine(argv, env);
  const loaded = await loadOperatorModule(parsed.module);
  const given = Object.fromEntries(
    Object.entries(parsed.options).filter(
      ([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0),
    ),
  );
  const options: OperatorOptions = { ...loaded.options, ...given };
  if (options.leaderElection && !parsed.leaseNameGiven) {
    options.leaderElection = { ...options.leaderElection, name: `${options.name ?? 'operator'}-leader` };
  }
  const operator = new Operator(options);
  const entry = loaded.default;
  if (typeof entry === 'function') await entry(operator);
  else {
    for (const item of entry) {
      const [cls, ...deps] = Array.isArray(item) ? item : [item];
      operator.register(cls, ...deps);
    }
  }
  const onSignal = (signal: NodeJS.Signals) => {
    operator.logger.info(`received ${signal}; stopping`);
    void operator.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await operator.start();
  await operator.whenStopped();
  return 0;
}
