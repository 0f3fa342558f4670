// Builds the apiextensions.k8s.io/v1 CustomResourceDefinition of a controller's kind from the
// schema it declares (`@Controller({ ..., crd: { spec, status, printerColumns } })`): status
// subresource, structural schema with the CEL rules written in it, printer columns, and the
// fields the framework itself writes into status (conditions, observedGeneration, and the
// record of handled changes under the storage prefix), which the apiserver would otherwise prune.
import type { ResourceRef } from '../kube/resource.js';
import { DEFAULT_STORAGE_PREFIX } from '../reconcile/progress.js';
import { statusStateField } from '../reconcile/state-store.js';
import type { JSONSchemaProps } from './json-schema.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** What a CRD needs beyond the controller's group, version, kind and plural. */
export interface CrdSchema {
  description?: string;
  singular?: string;
  shortNames?: string[];
  /** `kubectl get <category>` lists every kind in it. */
  categories?: string[];
  spec: JSONSchemaProps;
  /** The kind's own status fields; conditions and observedGeneration are added if missing. */
  status?: JSONSchemaProps;
  /** The kind's own columns; Ready, Reason (wide) and Age follow unless `conditionColumns: false`. */
  printerColumns?: PrinterColumn[];
  conditionColumns?: boolean;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JSONSchemaProps };
    }[];
  };
}

const conditionColumns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The shape of the conditions the framework writes (Ready, Reconciling, Stalled). */
export const conditionsSchema: JSONSchemaProps = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: { type: 'string', maxLength: 316 },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: { type: 'string', maxLength: 1024 },
      message: { type: 'string', maxLength: 32768 },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      observedGeneration: { type: 'integer', minimum: 0 },
    },
  },
};

function withFrameworkStatus(status: JSONSchemaProps | undefined, storagePrefix: string): JSONSchemaProps {
  const own = status ?? { type: 'object' };
  return {
    ...own,
    properties: {
      conditions: conditionsSchema,
      observedGeneration: { type: 'integer', minimum: 0 },
      ...own.properties,
      // The diff-base and progress of handled changes (reconcile/state-store.ts): the engine's
      // own strings, bounded by it.
      [statusStateField(storagePrefix)]: {
        type: 'object',
        description: 'What the operator framework recorded of the changes it handled.',
        'x-kubernetes-preserve-unknown-fields': true,
      },
    },
  };
}

export function buildCrd(
  resource: Omit<ResourceRef, 'namespaced'> & { namespaced?: boolean },
  schema: CrdSchema,
  /** The operator's `storagePrefix`, which names the status field of the framework's record. */
  storagePrefix = DEFAULT_STORAGE_PREFIX,
): CustomResourceDefinition {
  // A spec with required fields must be written; one without gets `{}` so that its field
  // defaults still apply to an object written without a spec.
  const specRequired = (schema.spec.required ?? []).length > 0;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${resource.plural}.${resource.group}` },
    spec: {
      group: resource.group,
      scope: resource.namespaced === false ? 'Cluster' : 'Namespaced',
      names: {
        kind: resource.kind,
        listKind: `${resource.kind}List`,
        plural: resource.plural,
        singular: schema.singular ?? resource.kind.toLowerCase(),
        ...(schema.shortNames?.length ? { shortNames: schema.shortNames } : {}),
        ...(schema.categories?.length ? { categories: schema.categories } : {}),
      },
      versions: [
        {
          name: resource.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...(schema.printerColumns ?? []),
            ...(schema.conditionColumns === false ? [] : conditionColumns),
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              ...(schema.description ? { description: schema.description } : {}),
              ...(specRequired ? { required: ['spec'] } : {}),
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specRequired ? schema.spec : { ...schema.spec, default: {} },
                status: withFrameworkStatus(schema.status, storagePrefix),
              },
            },
          },
        },
      ],
    },
  };
}
