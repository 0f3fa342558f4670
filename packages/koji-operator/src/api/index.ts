// The Koji operator's API: one file per kind (its types and the schema its CRD is generated from).
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
