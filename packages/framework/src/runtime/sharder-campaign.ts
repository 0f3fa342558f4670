// Sharded mode's sharder role on this replica: campaign for the `<name>-sharder` Lease (the
// existing LeaderElector, client-go semantics), run the Sharder while holding it, campaign
// again after losing it, for as long as the replica runs. The sharder's label writes go
// through a client of their own whose write gate admits them only while this replica holds
// the sharder Lease AND its member Lease (a sharder frozen or cut off writes nothing more;
// its successor cannot have started before that).
// Fails: a lost sharder Lease stops the Sharder only (the replica keeps handling its share);
// the Deployment lookup of `shards: 'auto'` failing only makes a cold start wait settleSeconds.
import type { KubeAccess } from '../kube/kubeconfig.js';
import { KubeClient } from '../kube/client.js';
import { NotLeaderError } from '../kube/errors.js';
import { EventRecorder } from '../kube/events.js';
import type { Logger } from '../logging/logger.js';
import { deploymentReplicas } from '../sharding/expected-replicas.js';
import { MemberLeases } from '../sharding/membership.js';
import type { ShardMetrics } from '../sharding/shard-metrics.js';
import { Sharder, type ShardedResource } from '../sharding/sharder.js';
import type { ShardingSettings } from '../sharding/sharding-options.js';
import { realClock } from '../time/clock.js';
import type { InformerFactory } from '../watch/informer-factory.js';
import { LeaderElector } from './leader-election.js';

export interface SharderCampaignDeps {
  config: KubeAccess;
  /** Renewals go through the replica's elector client, never behind watches or writes. */
  electorClient: KubeClient;
  memberIsLive: () => boolean;
  informers: InformerFactory;
  logger: Logger;
  metrics: ShardMetrics;
  operatorName: string;
  namespaces: string[];
  resources: ShardedResource[];
}

export class SharderCampaign {
  private readonly client: KubeClient;
  private readonly members: MemberLeases;
  private elector: LeaderElector | undefined;
  private sharder: Sharder | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly settings: ShardingSettings,
    private readonly deps: SharderCampaignDeps,
  ) {
    this.client = new KubeClient(deps.config);
    this.client.http.setWriteGate(() => {
      if (!this.elector?.isLeader || !deps.memberIsLive()) throw new NotLeaderError();
    });
    // Every replica watches the member Leases all along: a new sharder then already knows for
    // how long a dead replica's Lease has not changed, and moves its objects without first
    // watching it for a whole leaseDuration.
    this.members = new MemberLeases({
      informers: deps.informers,
      client: this.client,
      // Lease expiry is compared across replicas: real time, whatever clock the engine uses.
      clock: realClock,
      names: settings.names,
      operatorName: deps.operatorName,
      namespace: settings.leaseNamespace,
      onChange: () => this.sharder?.membersChanged(),
    });
  }

  start(): void {
    this.members.start();
    this.running = this.campaign();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.elector?.stop();
    await this.running;
    this.sharder?.stop();
    this.members.stop();
    this.client.close();
  }

  private async campaign(): Promise<void> {
    const { settings, deps } = this;
    const logger = deps.logger.child({ role: 'sharder' });
    while (!this.stopped) {
      const elector = (this.elector = new LeaderElector(
        deps.electorClient,
        {
          namespace: settings.leaseNamespace,
          name: settings.names.sharderLease,
          identity: settings.identity,
          leaseDurationSeconds: settings.leaseDurationSeconds,
          renewDeadlineSeconds: settings.renewDeadlineSeconds,
          retryPeriodSeconds: settings.retryPeriodSeconds,
        },
        logger,
      ));
      await elector.run(
        // Not awaited: the elector renews only after this returns.
        () => void this.lead(logger),
        () => {
          this.sharder?.stop();
          this.sharder = undefined;
        },
      );
    }
  }

  private async lead(logger: Logger): Promise<void> {
    const { settings, deps } = this;
    const expectedReplicas =
      settings.shards === 'auto'
        ? await deploymentReplicas(this.client, process.env.POD_NAMESPACE, process.env.POD_NAME, (text) =>
            logger.warn(text),
          )
        : settings.shards;
    if (this.stopped || !this.elector?.isLeader) return;
    this.sharder = new Sharder(
      {
        operatorName: deps.operatorName,
        names: settings.names,
        key: settings.key,
        namespaces: deps.namespaces,
        resources: deps.resources,
        expectedReplicas,
        settleMs: settings.settleMs,
      },
      {
        client: this.client,
        informers: deps.informers,
        events: new EventRecorder(this.client, deps.operatorName, settings.identity, (error) =>
          logger.debug(`could not post an Event: ${String(error)}`),
        ),
        logger,
        clock: realClock,
        metrics: deps.metrics,
        members: this.members,
      },
    );
    this.sharder.start();
  }
}
