// One controller per workload kind, on the framework.
export { KojiHubController } from './koji-hub.js';
export { KojiWebController } from './koji-web.js';
export { KojiraController, activeKojira } from './kojira.js';
export { KojiBuilderController } from './koji-builder.js';
