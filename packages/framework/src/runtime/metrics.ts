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
    help: 'Watch requests restarted, by reason',
    labelNames: ['controller', 'reason'] as const,
    registers: [this.registry],
  });
  readonly watches = new Gauge({
    name: 'operator_watches',
    help: 'List-then-watch loops held open, by controller, resource and namespace',
    labelNames: ['controller', 'resource', 'namespace'] as const,
    registers: [this.registry],
  });
  /** Read at scrape time: objects cached per controller. */
  cachedCounts: () => Record<string, number> = () => ({});
  readonly objectsCached: Gauge<'controller'>;
  readonly leader = new Gauge({
    name: 'operator_leader',
    help: '1 while this instance holds the leader Lease (or runs without leader election)',
    registers: [this.registry],
  });

  constructor() {
    const counts = () => this.cachedCounts();
    this.objectsCached = new Gauge({
      name: 'operator_objects_cached',
      help: 'Objects in the controller caches',
      labelNames: ['controller'] as const,
      registers: [this.registry],
      collect() {
        for (const [controller, count] of Object.entries(counts())) this.set({ controller }, count);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
