// What each kind declares about itself; crd.ts turns it into a CustomResourceDefinition.
import type { JSONSchemaProps } from './schema.js';

export const GROUP = 'koji.fedoraproject.org';
export const VERSION = 'v1alpha1';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: JSONSchemaProps;
  status: JSONSchemaProps;
  /** The kind's own columns; crd.ts adds Ready and Age after them. */
  printerColumns: PrinterColumn[];
}
