// Every kind this operator serves, in the order the CRD files and docs list them.
import type { KindDefinition } from './definition.js';
import { kojiBuilderDefinition } from './koji-builder.js';
import { kojiHubDefinition } from './koji-hub.js';
import { kojiUserDefinition } from './koji-user.js';
import { kojiWebDefinition } from './koji-web.js';
import { kojiraDefinition } from './kojira.js';

export const kindDefinitions: readonly KindDefinition[] = [
  kojiHubDefinition,
  kojiWebDefinition,
  kojiraDefinition,
  kojiBuilderDefinition,
  kojiUserDefinition,
];
