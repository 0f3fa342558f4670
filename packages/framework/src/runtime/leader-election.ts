// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate
// takes the Lease when its holder has not renewed it for leaseDuration (measured on our own
// clock from when we last saw the record change, so clock skew between nodes does not matter);
// the leader renews every retryPeriod and gives up leadership if it could not renew within
// renewDeadline; a clean stop releases the Lease so a successor need not wait.
import { isApiError } from '../kube/errors.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

type Lease = KubeObject<LeaseSpec>;

const microTime = (date = new Date()) => date.toISOString().replace(/Z$/, '000Z');

export class LeaderElector {
  private readonly leaseDuration: number;
  private readonly renewDeadline: number;
  private readonly retryPeriod: number;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly logger: Logger,
  ) {
    this.leaseDuration = (options.leaseDurationSeconds ?? 15) * 1000;
    this.renewDeadline = (options.renewDeadlineSeconds ?? 10) * 1000;
    this.retryPeriod = (options.retryPeriodSeconds ?? 2) * 1000;
    if (!(this.leaseDuration > this.renewDeadline && this.renewDeadline > this.retryPeriod)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until elected, calls onStartedLeading, renews until leadership is lost or stop()
   * is called, then calls onStoppedLeading. Resolves when the elector has stopped.
   */
  async run(
    onStartedLeading: () => void | Promise<void>,
    onStoppedLeading: () => void | Promise<void>,
  ): Promise<void> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await this.sleep(this.retryPeriod);
    if (this.stopped) return;
    this.leading = true;
    this.logger.info(`became leader (lease ${this.options.namespace}/${this.options.name})`);
    await onStartedLeading();
    let lastRenew = Date.now();
    while (!this.stopped) {
      await this.sleep(this.retryPeriod);
      if (this.stopped) break;
      if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
      else if (Date.now() - lastRenew > this.renewDeadline) {
        this.logger.error('could not renew the lease within the renew deadline; leadership lost');
        break;
      }
    }
    this.leading = false;
    await onStoppedLeading();
  }

  /** Stops campaigning/renewing; releases the Lease if we hold it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (!this.leading) return;
    try {
      const lease = await this.client.get<Lease>(
        CoreResources.lease,
        this.options.namespace,
        this.options.name,
      );
      if (lease.spec?.holderIdentity === this.options.identity) {
        await this.client.replace<Lease>(CoreResources.lease, {
          ...lease,
          spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime() },
        });
        this.logger.info('released the lease');
      }
    } catch (error) {
      this.logger.warn(`could not release the lease: ${String(error)}`);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = microTime();
    const mine: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDuration / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      const lease = await this.client.find<Lease>(CoreResources.lease, namespace, name);
      if (!lease) {
        await this.client.create<Lease>(CoreResources.lease, { metadata: { name, namespace }, spec: mine });
        this.observe(mine);
        return true;
      }
      const spec = lease.spec ?? {};
      this.observe(spec);
      const holder = spec.holderIdentity ?? '';
      const duration = (spec.leaseDurationSeconds ?? 0) * 1000;
      const expired = !holder || Date.now() > (this.observed?.at ?? 0) + duration;
      if (holder !== identity && !expired) return false;
      const next: LeaseSpec =
        holder === identity
          ? { ...spec, renewTime: now, leaseDurationSeconds: mine.leaseDurationSeconds }
          : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      await this.client.replace<Lease>(CoreResources.lease, { ...lease, spec: next });
      this.observe(next);
      return true;
    } catch (error) {
      if (!isApiError(error, 409)) this.logger.warn(`lease ${namespace}/${name}: ${String(error)}`);
      return false;
    }
  }

  /** Remembers when the record last changed, on our clock. */
  private observe(spec: LeaseSpec): void {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseTransitions]);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
