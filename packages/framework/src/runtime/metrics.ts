// Prometheus metrics of the runtime, in a registry of their own (so several operators in one
// process, e.g. in tests, do not collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly handlerRuns = new Counter({
    name: 'operator_handler_runs_total',
    help: 'Handler runs by outcome (success, retry, failure)',
    labelNames: ['controller', 'handler', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly handlerErrors = new Counter({
    name: 'operator_handler_errors_total',
    help: 'Handler runs that threw',
    labelNames: ['controller', 'handler'] as const,
    registers: [this.registry],
  });
  readonly handlerRetries = new Counter({
    name: 'operator_handler_retries_total',
    help: 'Handler runs that were scheduled for a retry',
    labelNames: ['controller', 'handler'] as const,
    registers: [this.registry],
  });
  readonly handlerDuration = new Histogram({
    name: 'operator_handler_duration_seconds',
    help: 'Handler run duration',
    labelNames: ['controller', 'handler'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'operator_queue_depth',
    help: 'Objects waiting for a free processing slot',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'operator_watch_restarts_total',
    help: 'Watch requests restarted, by resource and reason',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  readonly watches = new Gauge({
    name: 'operator_watches',
    help: 'List-then-watch loops held open, by resource and namespace (shared by every controller)',
    labelNames: ['resource', 'namespace'] as const,
    registers: [this.registry],
  });
  readonly namespaceMissing = new Gauge({
    name: 'operator_namespace_missing',
    help: 'Served namespaces that do not exist (1), or that were found again (0)',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });
  /** Read at scrape time: objects cached per controller. */
  cachedCounts: () => Record<string, number> = () => ({});
  readonly objectsCached: Gauge<'controller'>;
  /** Read at scrape time: states of referenced objects kept for related handlers, per controller. */
  previousStatesCounts: () => Record<string, number> = () => ({});
  readonly previousStates: Gauge<'controller'>;
  readonly leader = new Gauge({
    name: 'operator_leader',
    help: '1 while this instance holds the leader Lease (or runs without leader election)',
    registers: [this.registry],
  });

  constructor() {
    this.objectsCached = this.perController(
      'operator_objects_cached',
      'Objects in the controller caches',
      () => this.cachedCounts(),
    );
    this.previousStates = this.perController(
      'operator_related_previous_states',
      "Referenced objects' earlier states kept until their related handlers have run",
      () => this.previousStatesCounts(),
    );
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge per controller whose values are read at scrape time. */
  private perController(name: string, help: string, read: () => Record<string, number>): Gauge<'controller'> {
    return new Gauge({
      name,
      help,
      labelNames: ['controller'] as const,
      registers: [this.registry],
      collect() {
        for (const [controller, count] of Object.entries(read())) this.set({ controller }, count);
      },
    });
  }
}
