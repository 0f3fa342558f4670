// The Koji operator's API: one file per kind, the CRD builder, and the CRD files.
export * from './definition.js';
export * from './koji-builder.js';
export * from './koji-hub.js';
export * from './koji-user.js';
export * from './koji-web.js';
export * from './kojira.js';
export { kindDefinitions } from './kinds.js';
export type { Condition, CommonStatus } from './status.js';
export type { JSONSchemaProps, ValidationRule, IntOrStringSchema } from './schema.js';
export * from './placement.js';
export { buildCrd, type CustomResourceDefinition } from './crd.js';
export { renderCrdFiles, type CrdFile } from './crd-files.js';
