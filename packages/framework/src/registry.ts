// Reads what the decorators recorded into typed controller specs, and refuses misuse with a
// message that names the class and method. Nothing here talks to the cluster.
import 'reflect-metadata';
import {
  CONTROLLER_METADATA,
  HANDLERS_METADATA,
  OWNS_METADATA,
  RBAC_METADATA,
  WATCHES_METADATA,
} from './decorators/metadata-keys.js';
import type {
  ControllerOptions,
  HandlerKind,
  HandlerMetadata,
  HandlerOptions,
  OwnsOptions,
  PolicyRule,
  RelatedKind,
  WatchesOptions,
} from './decorators/options.js';
import type { CrdSchema } from './generate/crd.js';
import type { ResourceRef } from './kube/resource.js';

export interface HandlerSpec {
  id: string;
  kind: HandlerKind;
  /** Class.method, for messages. */
  qualifiedName: string;
  method: string;
  options: HandlerOptions;
  field?: string;
  related?: RelatedKind;
}

/** What a controller's decorators declare, read without constructing it (generators use this). */
export interface ControllerDescription {
  name: string;
  resource: ResourceRef;
  statusSubresource: boolean;
  handlers: HandlerSpec[];
  owns: OwnsOptions[];
  watches: WatchesOptions[];
  /** Extra permissions from @RbacRule. */
  rbac: PolicyRule[];
  /** The schema for its CRD, if the controller declares one. */
  crd?: CrdSchema;
}

export interface ControllerSpec extends ControllerDescription {
  instance: object;
}

/** A class with only operator-level handlers (@OnStartup / @OnCleanup) and no resource. */
export interface HooksSpec {
  name: string;
  handlers: HandlerSpec[];
  instance: object;
}

const OPERATOR_LEVEL: HandlerKind[] = ['startup', 'cleanup'];

/** Reads a class with only @OnStartup/@OnCleanup handlers; undefined if it is not one. */
export function readHooks(cls: ControllerClass, deps: unknown[] = []): HooksSpec | undefined {
  const recorded = inheritedHandlers(cls);
  if (Reflect.getMetadata(CONTROLLER_METADATA, cls) || recorded.length === 0) return undefined;
  if (!recorded.every((h) => OPERATOR_LEVEL.includes(h.kind))) return undefined;
  const name = cls.name || '<anonymous class>';
  return { name, instance: new cls(...deps), handlers: toSpecs(name, recorded) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ControllerClass = new (...deps: any[]) => object;

export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationError';
  }
}

interface RecordedHandler extends HandlerMetadata {
  order: number;
}

export function readController(cls: ControllerClass, deps: unknown[] = []): ControllerSpec {
  const description = describeController(cls);
  const instance = new cls(...deps);
  for (const h of description.handlers) {
    if (typeof (instance as Record<string, unknown>)[h.method] !== 'function') {
      throw new RegistrationError(`${h.qualifiedName}: @${decoratorName(h.kind)} must decorate a method`);
    }
  }
  return { ...description, instance };
}

/** Reads and validates a controller's decorators without constructing it. */
export function describeController(cls: ControllerClass): ControllerDescription {
  const name = cls.name || '<anonymous class>';
  const options: ControllerOptions | undefined = Reflect.getMetadata(CONTROLLER_METADATA, cls);
  const recorded = inheritedHandlers(cls);
  if (!options) {
    const first = recorded[0];
    throw new RegistrationError(
      first
        ? `${name}.${first.method}: @${decoratorName(first.kind)} is used in a class without @Controller({ group, version, kind, plural })`
        : `${name} is not a controller: decorate it with @Controller({ group, version, kind, plural })`,
    );
  }
  for (const key of ['version', 'kind', 'plural'] as const) {
    if (typeof options[key] !== 'string' || !options[key]) {
      throw new RegistrationError(`${name}: @Controller needs a non-empty '${key}'`);
    }
  }
  if (typeof options.group !== 'string') {
    throw new RegistrationError(`${name}: @Controller needs 'group' ('' for the core API)`);
  }
  if (recorded.length === 0) {
    throw new RegistrationError(
      `${name}: a controller needs at least one handler (@OnCreate, @Reconcile, ...)`,
    );
  }

  const handlers = toSpecs(name, recorded);
  const owns = inheritedList<OwnsOptions>(OWNS_METADATA, cls);
  for (const owned of owns) {
    if (!owned.apiVersion || !owned.kind)
      throw new RegistrationError(`${name}: @Owns needs 'apiVersion' and 'kind'`);
  }
  const watches = inheritedList<WatchesOptions>(WATCHES_METADATA, cls);
  for (const watched of watches) {
    if (!watched.apiVersion || !watched.kind)
      throw new RegistrationError(`${name}: @Watches needs 'apiVersion' and 'kind'`);
    if (typeof watched.map !== 'function')
      throw new RegistrationError(
        `${name}: @Watches(${watched.kind}) needs 'map: (object, ours) => the objects it wakes'`,
      );
  }
  return {
    name,
    resource: {
      group: options.group,
      version: options.version,
      kind: options.kind,
      plural: options.plural,
      namespaced: options.namespaced ?? true,
    },
    statusSubresource: options.statusSubresource ?? true,
    handlers,
    owns,
    watches,
    rbac: inheritedList<PolicyRule>(RBAC_METADATA, cls),
    ...(options.crd ? { crd: options.crd } : {}),
  };
}

/** The class and its base classes, the root first (decorators record on each class itself). */
function lineage(cls: ControllerClass): object[] {
  const chain: object[] = [];
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c))
    chain.unshift(c);
  return chain;
}

/** A repeatable class decorator's records, base classes' first. */
function inheritedList<T>(key: symbol, cls: ControllerClass): T[] {
  return lineage(cls).flatMap((c) => (Reflect.getOwnMetadata(key, c) as T[] | undefined) ?? []);
}

/**
 * Handlers of the class and its base classes. A subclass that decorates a method again
 * replaces the base's handlers of that method; an undecorated override keeps them (the call
 * goes to the override, as any method call would).
 */
function inheritedHandlers(cls: ControllerClass): RecordedHandler[] {
  let handlers: RecordedHandler[] = [];
  lineage(cls).forEach((c, depth) => {
    const own: RecordedHandler[] = Reflect.getOwnMetadata(HANDLERS_METADATA, c) ?? [];
    const redecorated = new Set(own.map((h) => h.method));
    handlers = [
      ...handlers.filter((h) => !redecorated.has(h.method)),
      // Orders are per class; keep each class's methods after its bases'.
      ...own.map((h) => ({ ...h, order: depth * 100_000 + h.order })),
    ];
  });
  return handlers;
}

function toSpecs(name: string, recorded: RecordedHandler[]): HandlerSpec[] {
  const handlers: HandlerSpec[] = [];
  const owners = new Map<string, string>();
  for (const h of reorderWithinMethods(recorded)) {
    const qualifiedName = `${name}.${h.method}`;
    const id = h.options.id ?? (h.kind === 'field' ? `${h.method}/${h.field}` : h.method);
    const owner = owners.get(id);
    if (owner && owner !== h.method) {
      throw new RegistrationError(`${qualifiedName}: handler id '${id}' is already used by ${name}.${owner}`);
    }
    owners.set(id, h.method);
    validateOptions(qualifiedName, h);
    handlers.push({
      id,
      kind: h.kind,
      qualifiedName,
      method: h.method,
      options: h.options,
      ...(h.field ? { field: h.field } : {}),
      ...(h.related ? { related: h.related } : {}),
    });
  }
  return handlers;
}

/** Decorators on one method apply bottom-up; restore the order they were written in. */
function reorderWithinMethods(handlers: RecordedHandler[]): RecordedHandler[] {
  const byOrder = new Map<number, RecordedHandler[]>();
  for (const h of handlers) byOrder.set(h.order, [...(byOrder.get(h.order) ?? []), h]);
  return [...byOrder.keys()].sort((a, b) => a - b).flatMap((k) => (byOrder.get(k) ?? []).reverse());
}

function validateOptions(where: string, h: HandlerMetadata): void {
  const { retries, timeoutSeconds, backoff, errors } = h.options;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0)) {
    throw new RegistrationError(`${where}: 'retries' must be a whole number >= 0, got ${retries}`);
  }
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new RegistrationError(`${where}: 'timeoutSeconds' must be > 0, got ${timeoutSeconds}`);
  }
  if (
    backoff &&
    [backoff.initialSeconds, backoff.maxSeconds, backoff.factor].some((v) => v !== undefined && !(v > 0))
  ) {
    throw new RegistrationError(`${where}: 'backoff' values must be > 0`);
  }
  if (errors !== undefined && !['temporary', 'permanent', 'ignored'].includes(errors)) {
    throw new RegistrationError(
      `${where}: 'errors' must be 'temporary', 'permanent' or 'ignored', got '${errors}'`,
    );
  }
  const extra = h.options as { intervalSeconds?: number; refs?: unknown };
  if (h.kind === 'timer' && !(typeof extra.intervalSeconds === 'number' && extra.intervalSeconds > 0)) {
    throw new RegistrationError(`${where}: @Timer needs 'intervalSeconds' > 0`);
  }
  if (h.kind === 'related' && typeof extra.refs !== 'function') {
    throw new RegistrationError(`${where}: @OnRelatedChange needs 'refs: (spec, body) => names'`);
  }
  if (h.kind === 'field' && !h.field) {
    throw new RegistrationError(`${where}: @OnField needs a dotted path such as 'spec.replicas'`);
  }
}

function decoratorName(kind: HandlerKind): string {
  const names: Record<HandlerKind, string> = {
    create: 'OnCreate',
    update: 'OnUpdate',
    delete: 'OnDelete',
    resume: 'OnResume',
    field: 'OnField',
    event: 'OnEvent',
    reconcile: 'Reconcile',
    timer: 'Timer',
    daemon: 'Daemon',
    related: 'OnRelatedChange',
    startup: 'OnStartup',
    cleanup: 'OnCleanup',
  };
  return names[kind];
}
