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
import { HubClientFactory } from './hub-connection/index.js';

// One hub connection per KojiHub, shared by the controllers that speak to koji.
const hub = new HubClientFactory();

export const controllers: (ControllerClass | [ControllerClass, ...unknown[]])[] = [
  KojiHubController,
  KojiWebController,
  KojiraController,
  KojiBuilderController,
  [KojiUserController, hub],
];

export const options: OperatorOptions = {
  name: 'koji-operator',
  // Ready means "the workload is available", which only the controllers can tell.
  readyCondition: 'manual',
  // The proposal's "re-run the reconcile loop every N seconds": drift that no watch reports
  // (a Route, another CR that changed what a hub renders) is repaired within this.
  resyncSeconds: 300,
};

export default controllers;
