// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
// - a candidate takes the Lease when its holder has not renewed it for leaseDuration
//   (measured on our own clock from when we last saw the record change, so clock skew between
//   nodes does not matter);
// - the leader renews every retryPeriod; every attempt is bounded by what is left of the
//   renewDeadline (an HTTP call that hangs is aborted, it does not hold leadership open);
// - leadership ends renewDeadline after the last renewal was *sent*, on a timer of its own and
//   in `isLeader`, which is read on every write: a leader that was frozen (SIGSTOP) or cut off
//   knows it the moment it runs again, before any successor can have taken the Lease
//   (renewDeadline < leaseDuration);
// - a clean stop waits for an in-flight renewal, then releases the Lease so a successor need
//   not wait.
// Failures: an unreachable apiserver or a 409 only make an attempt fail; nothing throws.
import { isApiError } from '../kube/errors.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources, resourcePath } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Labels the Lease is created with (so a watcher can select a set of Leases). */
  labels?: Record<string, string>;
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
  /** When the last successful acquisition or renewal was sent (ms); leadership ends renewDeadline later. */
  private renewedAt: number | undefined;
  private leading = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private attempt: Promise<boolean> | undefined;
  private onLost: (() => void) | undefined;

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

  /** True only while the Lease is certainly ours: renewed less than renewDeadline ago. */
  get isLeader(): boolean {
    return this.leading && this.renewedAt !== undefined && Date.now() < this.renewedAt + this.renewDeadline;
  }

  /**
   * Campaigns until elected, calls onStartedLeading, renews until leadership is lost or stop()
   * is called, then calls onStoppedLeading (at once on loss, even while an attempt hangs).
   * Resolves when the elector has stopped.
   */
  async run(
    onStartedLeading: () => void | Promise<void>,
    onStoppedLeading: () => void | Promise<void>,
  ): Promise<void> {
    while (!this.stopped && !(await this.attemptWithin(this.renewDeadline)))
      await this.sleep(this.retryPeriod);
    if (this.stopped) return;
    this.leading = true;
    let stoppedLeading: Promise<void> | undefined;
    const lose = (why: string) => {
      if (stoppedLeading) return;
      if (why) this.logger.error(why);
      this.leading = false;
      clearTimeout(this.expiry);
      this.wake?.();
      stoppedLeading = Promise.resolve(onStoppedLeading());
    };
    this.onLost = () => lose('');
    this.armExpiry(() => lose('the lease was not renewed within the renew deadline; leadership lost'));
    this.logger.info(`became leader (lease ${this.options.namespace}/${this.options.name})`);
    await onStartedLeading();
    while (!this.stopped && this.isLeader) {
      await this.sleep(this.retryPeriod);
      if (this.stopped || !this.isLeader) break;
      const left = (this.renewedAt ?? 0) + this.renewDeadline - Date.now();
      if (await this.attemptWithin(left))
        this.armExpiry(() => lose('the lease was not renewed within the renew deadline; leadership lost'));
    }
    if (!this.stopped) lose('could not renew the lease; leadership lost');
    else lose('');
    await stoppedLeading;
  }

  /** Stops campaigning/renewing; after any renewal in flight, releases the Lease if we hold it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.attempt?.catch(() => false);
    // Whether the Lease is still ours, whatever the renew loop did since it was woken.
    const holding = this.renewedAt !== undefined && Date.now() < this.renewedAt + this.renewDeadline;
    this.onLost?.();
    if (!holding) return;
    try {
      const lease = await this.request<Lease>('GET', undefined, AbortSignal.timeout(this.renewDeadline));
      if (lease.spec?.holderIdentity === this.options.identity) {
        // Conditional on the version just read: never releases a Lease someone else took since.
        await this.request<Lease>(
          'PUT',
          {
            ...lease,
            spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime() },
          },
          AbortSignal.timeout(this.renewDeadline),
        );
        this.logger.info('released the lease');
      }
    } catch (error) {
      this.logger.warn(`could not release the lease: ${String(error)}`);
    }
  }

  private armExpiry(onExpired: () => void): void {
    clearTimeout(this.expiry);
    const left = (this.renewedAt ?? 0) + this.renewDeadline - Date.now();
    this.expiry = setTimeout(onExpired, Math.max(0, left));
  }

  /** One acquire-or-renew attempt, aborted after `ms`; success moves renewedAt to when it was sent. */
  private async attemptWithin(ms: number): Promise<boolean> {
    if (ms <= 0) return false;
    const sentAt = Date.now();
    this.attempt = this.tryAcquireOrRenew(AbortSignal.timeout(ms));
    const ok = await this.attempt;
    this.attempt = undefined;
    if (ok) this.renewedAt = sentAt;
    return ok;
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
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
      let lease: Lease | undefined;
      try {
        lease = await this.request<Lease>('GET', undefined, signal);
      } catch (error) {
        if (!isApiError(error, 404)) throw error;
      }
      if (!lease) {
        await this.request<Lease>(
          'POST',
          { metadata: { name, namespace, labels: this.options.labels }, spec: mine },
          signal,
        );
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
      // PUT with the version read: a concurrent taker makes one of us fail with 409.
      await this.request<Lease>('PUT', { ...lease, spec: next }, signal);
      this.observe(next);
      return true;
    } catch (error) {
      if (!isApiError(error, 409)) this.logger.warn(`lease ${namespace}/${name}: ${String(error)}`);
      return false;
    }
  }

  private request<T>(method: 'GET' | 'POST' | 'PUT', body: unknown, signal: AbortSignal): Promise<T> {
    const { namespace, name } = this.options;
    const path = resourcePath(CoreResources.lease, namespace, method === 'POST' ? undefined : name);
    const payload =
      body === undefined
        ? undefined
        : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...(body as object) };
    return this.client.http.request<T>(method, path, { body: payload, signal });
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
