// What each kind declares about itself; the framework's CRD generator turns it into a
// CustomResourceDefinition (controllers declare it with `@Controller(kojiKind(definition))`).
import type { CrdSchema, PrinterColumn } from '@fedora-operators/framework';
import type { JSONSchemaProps } from './schema.js';

export const GROUP = 'koji.fedoraproject.org';
export const VERSION = 'v1alpha1';

export type { PrinterColumn };

export interface KindDefinition extends CrdSchema {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: JSONSchemaProps;
  status: JSONSchemaProps;
  /** The kind's own columns; the framework adds Ready, Reason and Age after them. */
  printerColumns: PrinterColumn[];
}
