// Typed calls on any resource: get, list, create, the three patch kinds (merge, JSON
// patch, server-side apply), status-subresource patches and delete.
import { isApiError } from './errors.js';
import { KubeHttp } from './http.js';
import { loadKubeConfig, type KubeAccess } from './kubeconfig.js';
import { apiVersionOf, resourcePath, type ResourceRef } from './resource.js';
import type { KubeObject, ObjectList } from './object.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export type JsonPatchOperation =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

export class KubeClient {
  readonly http: KubeHttp;

  constructor(readonly config: KubeAccess = loadKubeConfig()) {
    this.http = new KubeHttp(config);
  }

  get<T extends KubeObject>(resource: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.http.request<T>('GET', resourcePath(resource, namespace, name));
  }

  /** Like get, but undefined when the object does not exist. */
  async find<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(resource, namespace, name);
    } catch (error) {
      if (isApiError(error, 404)) return undefined;
      throw error;
    }
  }

  list<T extends KubeObject>(
    resource: ResourceRef,
    namespace?: string,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    return this.http.request<ObjectList<T>>('GET', resourcePath(resource, namespace), {
      query: { ...options },
    });
  }

  create<T extends KubeObject>(resource: ResourceRef, body: T): Promise<T> {
    const object = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    return this.http.request<T>('POST', resourcePath(resource, body.metadata.namespace), { body: object });
  }

  /** PUT: replaces the object; its metadata.resourceVersion makes it fail with 409 if someone wrote in between. */
  replace<T extends KubeObject>(resource: ResourceRef, body: T, subresource?: 'status'): Promise<T> {
    const object = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    return this.http.request<T>(
      'PUT',
      resourcePath(resource, body.metadata.namespace, body.metadata.name, subresource),
      {
        body: object,
      },
    );
  }

  /** RFC 7386 merge patch: null deletes a key. */
  mergePatch<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: 'status',
  ): Promise<T> {
    return this.http.request<T>('PATCH', resourcePath(resource, namespace, name, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** RFC 6902 JSON patch; a failing `test` operation makes the whole patch fail with 422. */
  jsonPatch<T extends KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    operations: JsonPatchOperation[],
    subresource?: 'status',
  ): Promise<T> {
    return this.http.request<T>('PATCH', resourcePath(resource, namespace, name, subresource), {
      body: operations,
      contentType: 'application/json-patch+json',
    });
  }

  /** Server-side apply: the object states every field this manager owns. */
  apply<T extends KubeObject>(
    resource: ResourceRef,
    body: T,
    options: { fieldManager: string; force?: boolean; subresource?: 'status' },
  ): Promise<T> {
    const object = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...body };
    return this.http.request<T>(
      'PATCH',
      resourcePath(resource, body.metadata.namespace, body.metadata.name, options.subresource),
      {
        body: object,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: options.fieldManager, force: options.force ?? true },
      },
    );
  }

  async delete(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {},
  ): Promise<void> {
    try {
      await this.http.request('DELETE', resourcePath(resource, namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options },
      });
    } catch (error) {
      if (!isApiError(error, 404)) throw error;
    }
  }

  close(): void {
    this.http.close();
  }
}
