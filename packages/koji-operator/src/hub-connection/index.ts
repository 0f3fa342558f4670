// The operator's connection to a namespace's koji hub; see hub-client-factory.ts.
export * from './hub-client-factory.js';
export * from './hub-problem.js';
export * from './failure-backoff.js';
export { kojiHubResource, kojiUserResource } from './resources.js';
