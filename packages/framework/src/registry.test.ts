import 'reflect-metadata';
import {
  Controller,
  OnCreate,
  OnDelete,
  OnField,
  OnResume,
  OnUpdate,
  Reconcile,
  Watches,
} from './decorators/index.js';
import { readController, RegistrationError } from './registry.js';

const resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets' };

test('handlers are read in declaration order, with the method name as default id', () => {
  @Controller(resource)
  class Widgets {
    @OnCreate()
    @OnUpdate()
    @OnResume()
    async sync() {}
    @OnField('spec.size')
    async resized() {}
    @OnDelete({ id: 'cleanup', retries: 3 })
    async remove() {}
    @Reconcile()
    async level() {}
  }
  const spec = readController(Widgets);
  expect(spec.name).toBe('Widgets');
  expect(spec.resource).toEqual({ ...resource, namespaced: true });
  expect(spec.handlers.map((h) => `${h.kind}:${h.id}`)).toEqual([
    'create:sync',
    'update:sync',
    'resume:sync',
    'field:resized/spec.size',
    'delete:cleanup',
    'reconcile:level',
  ]);
});

test('constructor dependencies are passed at registration', () => {
  @Controller(resource)
  class WithDeps {
    constructor(readonly hub: string) {}
    @OnCreate()
    async create() {}
  }
  expect((readController(WithDeps, ['hub-client']).instance as WithDeps).hub).toBe('hub-client');
});

test('a decorated method in a class without @Controller names the class and method', () => {
  class Forgotten {
    @OnCreate()
    async make() {}
  }
  expect(() => readController(Forgotten)).toThrow(
    new RegistrationError(
      'Forgotten.make: @OnCreate is used in a class without @Controller({ group, version, kind, plural })',
    ),
  );
});

test('two methods with one handler id are refused', () => {
  @Controller(resource)
  class Twice {
    @OnCreate({ id: 'same' })
    async one() {}
    @OnUpdate({ id: 'same' })
    async two() {}
  }
  expect(() => readController(Twice)).toThrow("Twice.two: handler id 'same' is already used by Twice.one");
});

test('incomplete resources and bad options are refused with the place named', () => {
  @Controller({ group: 'example.com', version: 'v1', kind: 'Widget', plural: '' })
  class NoPlural {
    @OnCreate()
    async make() {}
  }
  expect(() => readController(NoPlural)).toThrow("NoPlural: @Controller needs a non-empty 'plural'");

  @Controller(resource)
  class BadRetries {
    @OnCreate({ retries: -1 })
    async make() {}
  }
  expect(() => readController(BadRetries)).toThrow(
    "BadRetries.make: 'retries' must be a whole number >= 0, got -1",
  );

  @Controller(resource)
  class Empty {}
  expect(() => readController(Empty)).toThrow('Empty: a controller needs at least one handler');
});

test('@Watches kinds are read with their map; one without a map is refused', () => {
  const map = () => [];
  @Controller(resource)
  @Watches({ apiVersion: 'v1', kind: 'ConfigMap', map })
  @Watches({ apiVersion: 'example.com/v1', kind: 'Gadget', map, optional: true })
  class Watcher {
    @Reconcile()
    async level() {}
  }
  expect(readController(Watcher).watches.map((w) => [w.kind, w.map === map, w.optional ?? false])).toEqual([
    ['Gadget', true, true],
    ['ConfigMap', true, false],
  ]);

  @Controller(resource)
  @Watches({ apiVersion: 'v1', kind: 'ConfigMap' } as never)
  class NoMap {
    @Reconcile()
    async level() {}
  }
  expect(() => readController(NoMap)).toThrow("NoMap: @Watches(ConfigMap) needs 'map");
});

test('a subclass inherits its base classes handlers, @Owns and @Watches; its own decorators on a method replace the base ones', () => {
  const map = () => [];
  @Watches({ apiVersion: 'v1', kind: 'ConfigMap', map })
  abstract class Base {
    @OnCreate()
    async make() {}
    @OnDelete()
    async remove() {}
  }
  @Controller(resource)
  class Widgets extends Base {
    @OnUpdate()
    override async make() {}
    @Reconcile()
    async level() {}
  }
  const spec = readController(Widgets);
  expect(spec.handlers.map((h) => `${h.kind}:${h.qualifiedName}`)).toEqual([
    'delete:Widgets.remove',
    'update:Widgets.make',
    'reconcile:Widgets.level',
  ]);
  expect(spec.watches.map((w) => w.kind)).toEqual(['ConfigMap']);

  @Controller({ ...resource, kind: 'Gadget', plural: 'gadgets' })
  class Gadgets extends Widgets {}
  expect(readController(Gadgets).resource.kind).toBe('Gadget');
  expect(readController(Gadgets).handlers).toHaveLength(3);
});
