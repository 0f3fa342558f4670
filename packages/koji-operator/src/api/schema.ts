// The schema vocabulary of our CRDs is the framework's (structural JSONSchemaProps with CEL
// rules); re-exported so every kind file imports it from one place.
export type { IntOrStringSchema, JSONSchemaProps, ValidationRule } from '@fedora-operators/framework';
