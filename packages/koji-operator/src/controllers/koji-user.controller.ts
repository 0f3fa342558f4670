// KojiUser: a koji user whose permissions equal the spec, kept so.
//
// One level-triggered @Reconcile does the work, on every change, at operator start (resume),
// on every resync, and again after `driftIntervalSeconds` (default 300) to repair changes made
// in koji behind the operator's back. Why @Reconcile and not @OnCreate/@OnUpdate + @Timer:
// - the drift interval is a constructor option (tests use seconds), and a @Timer's interval is
//   fixed when the class is declared; a reconcile's requeueAfterSeconds is per instance;
// - a hub that is down must show Ready=False reason HubUnavailable: a thrown error is reported
//   by the framework as reason HandlerRetrying, so the handler sets the condition itself and
//   asks to run again after an exponential backoff with jitter. Nothing is lost while it waits:
//   each run reads the spec as it is then and converges koji to it.
// Koji cannot delete users: deleting the CR disables the user (@OnDelete; the framework's
// finalizer holds the CR until that succeeded).
// One owner per koji user (koji-sync/user-needs.ts): what kojira and kojiweb need of the same
// user, and `admin` on the operator's own identity, are added to the list instead of fought
// over; status.neededBy says which. Deleting the CR of a user still needed leaves it enabled
// with what is needed (and logs so) instead of disabling it.
import {
  Controller,
  RbacRule,
  OnDelete,
  Reconcile,
  TemporaryError,
  Watches,
  type HandlerContext,
} from '@fedora-operators/framework';

import {
  kojiUserDefinition,
  effectiveUsername,
  type KojiUserSpec,
  type KojiUserStatus,
} from '../api/koji-user.js';
import { ensureCertificateSecret } from '../certs/index.js';
import {
  FailureBackoff,
  HubConnectionError,
  hubProblemOf,
  type HubClientFactory,
  type HubProblem,
} from '../hub-connection/index.js';
import { NotANormalUserError, disableUser, mergeWithNeeds, needsOf, syncUser } from '../koji-sync/index.js';
import { componentUserNeeds } from './user-needs.js';
import { ownerOf } from './certificates.js';
import { everyOneInTheNamespace, kojiApiVersion, issuesCertificates, kojiKind } from './support.js';

export interface KojiUserControllerOptions {
  /** How often koji is checked for drift when nothing else happens; default 300 s. */
  driftIntervalSeconds?: number;
  /** Backoff while the hub cannot be used; default 2 s doubling to 300 s. */
  retry?: { initialSeconds?: number; maxSeconds?: number };
}

type Ctx = HandlerContext<KojiUserSpec, KojiUserStatus>;

@Controller(kojiKind(kojiUserDefinition))
@RbacRule(issuesCertificates)
// A KojiHub that appears (or changes its CA or admin certificate) is what the sync needs.
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiHub', map: everyOneInTheNamespace })
// Their needs are merged into the KojiUser of the same koji user.
@Watches({ apiVersion: kojiApiVersion, kind: 'Kojira', map: everyOneInTheNamespace })
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiWeb', map: everyOneInTheNamespace })
export class KojiUserController {
  /** Consecutive failed runs per object, for the backoff; forgotten on success. */
  readonly #backoff: FailureBackoff;
  readonly #driftSeconds: number;

  constructor(
    private readonly hub: HubClientFactory,
    options: KojiUserControllerOptions = {},
  ) {
    this.#driftSeconds = options.driftIntervalSeconds ?? 300;
    this.#backoff = new FailureBackoff(options.retry);
  }

  @Reconcile()
  async sync(ctx: Ctx): Promise<{ requeueAfterSeconds: number }> {
    const key = `${ctx.namespace}/${ctx.name}`;
    const username = effectiveUsername(ctx.body);
    const namespace = ctx.namespace ?? '';
    try {
      const certProblem = await this.ensureCertificate(ctx, username);
      const { client, adminUser } = await this.hub.forNamespace(ctx.client, namespace);
      const needs = needsOf(username, await componentUserNeeds(ctx), adminUser);
      const merged = mergeWithNeeds(ctx.spec.permissions ?? [], needs);
      const state = await syncUser(client, {
        name: username,
        permissions: merged.wanted,
        ...(ctx.spec.krb_principal ? { krbPrincipal: ctx.spec.krb_principal } : {}),
        createUnknownPermissions: ctx.spec.create_unknown_permissions ?? false,
        mode: 'exact',
      });
      this.#backoff.succeeded(key);
      if (state.changes.length > 0) ctx.logger.info(`koji user ${username}: ${state.changes.join(', ')}`);
      Object.assign(ctx.patch.status, {
        kojiUserId: state.id,
        username: state.name,
        permissions: state.permissions,
        enabled: state.enabled,
        neededBy: merged.neededBy,
      });
      if (merged.adminKept) {
        ctx.condition({
          type: 'Ready',
          status: 'False',
          reason: 'OperatorAdminProtected',
          message: `koji user ${username} is the operator's own admin identity (the CN of its admin certificate): it keeps the admin permission, which this KojiUser does not list; add admin to permissions`,
        });
      } else if (state.unknownPermissions.length > 0) {
        ctx.condition({
          type: 'Ready',
          status: 'False',
          reason: 'UnknownPermission',
          message: `koji does not know ${state.unknownPermissions.join(', ')}; set create_unknown_permissions: true to create them, or fix the name`,
        });
      } else if (certProblem) {
        ctx.condition({ type: 'Ready', status: 'False', ...certProblem });
      } else {
        ctx.condition({
          type: 'Ready',
          status: 'True',
          reason: 'InSync',
          message: `koji user ${state.name} (id ${state.id}) is enabled with exactly the listed permissions${
            merged.addedByNeeds.length
              ? ` and ${merged.addedByNeeds.join(', ')}, which ${needs.map((n) => n.by).join(', ')} need(s)`
              : ''
          }`,
        });
      }
      return { requeueAfterSeconds: this.#driftSeconds };
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      const delay = this.#backoff.failed(key);
      ctx.logger.warn(`${problem.reason}: ${problem.message}; retrying in ${delay.toFixed(1)}s`);
      ctx.condition({
        type: 'Ready',
        status: 'False',
        reason: problem.reason,
        message: `${problem.message} (retrying in ${Math.ceil(delay)}s)`,
      });
      return { requeueAfterSeconds: delay };
    }
  }

  @OnDelete()
  async disable(ctx: Ctx): Promise<void> {
    const username = ctx.status?.username ?? effectiveUsername(ctx.body);
    this.#backoff.succeeded(`${ctx.namespace}/${ctx.name}`);
    try {
      const { client, adminUser } = await this.hub.forNamespace(ctx.client, ctx.namespace ?? '');
      const needs = needsOf(username, await componentUserNeeds(ctx), adminUser);
      if (needs.length > 0) {
        // Still needed: keep it enabled with exactly what is needed, drop the rest of the list.
        const merged = mergeWithNeeds([], needs);
        const state = await syncUser(client, { name: username, permissions: merged.wanted, mode: 'exact' });
        ctx.logger.info(
          `koji user ${username} stays enabled with ${state.permissions.join(', ') || 'no permissions'}: needed by ${merged.neededBy.join(', ')}`,
        );
        return;
      }
      const outcome = await disableUser(client, username);
      ctx.logger.info(`koji user ${username}: ${outcome} (koji cannot delete users)`);
    } catch (error) {
      // The hub itself is gone (e.g. the namespace is being deleted): there is no user left to
      // disable, and holding the finalizer would block the namespace forever.
      if (error instanceof HubConnectionError && error.reason === 'HubNotFound') {
        ctx.logger.warn(`koji user ${username} not disabled: ${error.message}`);
        return;
      }
      const problem = problemOf(error);
      if (!problem) throw error;
      throw new TemporaryError(`${problem.reason}: ${problem.message}`, this.#backoff.delayFor(ctx.retry));
    }
  }

  /** Issues the user's client certificate when its Secret is missing and the CA key is at hand. */
  private async ensureCertificate(ctx: Ctx, username: string): Promise<HubProblem | undefined> {
    const ssl = ctx.spec.auth?.ssl;
    if (!ssl) return undefined;
    const result = await ensureCertificateSecret(
      ctx.client,
      {
        namespace: ctx.namespace ?? '',
        secretName: ssl.client_secret_name,
        caSecretName: ssl.ca_secret_name,
        commonName: username,
        purpose: 'client',
        owner: ownerOf(ctx),
      },
      ctx.logger,
    );
    return result.state === 'unavailable' ? { reason: result.reason, message: result.message } : undefined;
  }
}

function problemOf(error: unknown): HubProblem | undefined {
  if (error instanceof NotANormalUserError) return { reason: 'NotANormalUser', message: error.message };
  return hubProblemOf(error);
}
