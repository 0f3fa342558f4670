// Pure functions from a Koji CR (plus what the controller read for it) to the objects it owns.
export * from './resources.js';
export * from './labels.js';
export * from './hash.js';
export * from './images.js';
export {
  hubManifests,
  hubNames,
  hubUrls,
  hubFilesUrls,
  hubAliasService,
  adminCertSecretName,
  type HubManifestInput,
  type RenderedChildren,
} from './koji-hub.js';
export { webManifests, webNames, webUrl, webPort, type WebManifestInput } from './koji-web.js';
export { kojiraManifests, kojiraNames, type KojiraManifestInput } from './kojira.js';
export {
  builderManifests,
  builderNames,
  builderPodNames,
  type BuilderManifestInput,
} from './koji-builder.js';
export { exposure, type ExposureInput } from './exposure.js';
export * from './hub-claims.js';
export * from './hub-address.js';
export * from './buildroot-files.js';
export * from './schema-plan.js';
export * from './schema-job.js';
