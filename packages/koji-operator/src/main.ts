// The operator module for the framework's CLI:
//   fedora-operator run packages/koji-operator/dist/main.js --namespace koji
// The default export lists the controllers; `options` are this operator's defaults, under
// the command line's flags and environment.
import type { ControllerClass, OperatorOptions } from '@fedora-operators/framework';
import {
  KojiBuilderController,
  KojiHubController,
  KojiraController,
  KojiWebController,
} from './controllers/index.js';
import { KojiUserController } from './controllers/koji-user.controller.js';
import { HubClientFactory, type HubClientFactoryOptions } from './hub-connection/index.js';

export type ControllerList = (ControllerClass | [ControllerClass, ...unknown[]])[];

/**
 * The controllers, sharing one connection per KojiHub among those that speak to koji.
 * KOJI_OPERATOR_HUB_URL replaces each hub's in-cluster URL for an operator run outside the
 * cluster, where Service names do not resolve (e.g. `kubectl port-forward svc/koji-hub 8443`
 * and https://localhost:8443/kojihub); `{name}` and `{namespace}` in it are the KojiHub's.
 */
export function kojiControllers(
  hub: HubClientFactory = new HubClientFactory(hubUrlOverride(process.env.KOJI_OPERATOR_HUB_URL)),
): ControllerList {
  return [
    [KojiHubController, hub],
    [KojiWebController, hub],
    [KojiraController, hub],
    [KojiBuilderController, hub],
    [KojiUserController, hub],
  ];
}

function hubUrlOverride(template: string | undefined): HubClientFactoryOptions {
  if (!template) return {};
  return {
    urlFor: (h) =>
      template
        .replaceAll('{name}', h.metadata.name ?? '')
        .replaceAll('{namespace}', h.metadata.namespace ?? ''),
  };
}

export const controllers: ControllerList = kojiControllers();

export const options: OperatorOptions = {
  name: 'koji-operator',
  // Ready means "the workload is available", which only the controllers can tell.
  readyCondition: 'manual',
  // The proposal's "re-run the reconcile loop every N seconds": drift that no watch reports
  // (a Route, another CR that changed what a hub renders) is repaired within this.
  resyncSeconds: 300,
};

export default controllers;
