// Generators: CRDs and RBAC from what controllers declare. Pure functions; the CLI's
// `generate` command and projects' own scripts write their output.
export {
  buildCrd,
  conditionsSchema,
  type CrdSchema,
  type CustomResourceDefinition,
  type PrinterColumn,
} from './crd.js';
export type { IntOrStringSchema, JSONSchemaProps, ValidationRule } from './json-schema.js';
export { rbacRules, rbacObjects, pluralOf, type RbacOptions } from './rbac.js';
export { crdFiles, crdsOf, rbacFile, toYaml, toCompactYaml, type ManifestFile } from './manifest-files.js';
