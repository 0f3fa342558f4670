// Loads the module an operator ships (`fedora-operator run ./dist/main.js`, `generate ...`):
// its default export is a list of controller classes (or [Class, ...deps] entries) or a
// function that registers them on the Operator; it may export `options`.
//
// Fails with a UsageError that says what to do: the file does not exist (exit 2; a .ts file
// gets a hint to build first), importing it throws (exit 1, with the cause's stack), or the
// default export is neither a list nor a function (exit 2).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ControllerClass } from '../registry.js';
import type { Operator, OperatorOptions } from '../runtime/operator.js';
import { UsageError } from './usage-error.js';

export type ControllerEntry = ControllerClass | [ControllerClass, ...unknown[]];

export interface OperatorModule {
  default: ControllerEntry[] | ((operator: Operator) => void | Promise<void>);
  /** The module's own defaults (e.g. readyCondition); command-line flags and environment win. */
  options?: OperatorOptions;
}

export async function loadOperatorModule(path: string): Promise<OperatorModule> {
  const file = resolve(path);
  if (!existsSync(file)) {
    const hint = /\.[cm]?ts$/.test(path)
      ? ' Run the compiled JavaScript (e.g. ./dist/main.js after `npm run build`).'
      : ' Did you build the project (`npm run build`)?';
    throw new UsageError(`cannot find the operator module ${path} (${file}).${hint}`, 2);
  }
  let loaded: Partial<OperatorModule>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Partial<OperatorModule>;
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new UsageError(`loading the operator module ${path} failed:\n${detail}`, 1);
  }
  const entry = loaded.default;
  if (typeof entry !== 'function' && !Array.isArray(entry)) {
    throw new UsageError(
      `${path}: its default export must be a list of controller classes ([MyController, [Other, dependency]]) or a function (operator) => void; it is ${entry === undefined ? 'missing' : typeof entry}`,
      2,
    );
  }
  return { default: entry, ...(loaded.options ? { options: loaded.options } : {}) };
}

/** The controller classes of a list export (generators read their decorators, never construct them). */
export function controllerClasses(module: OperatorModule, path: string): ControllerClass[] {
  if (!Array.isArray(module.default)) {
    throw new UsageError(
      `${path}: generating needs a default export that lists the controller classes; a registering function cannot be read without running it`,
      2,
    );
  }
  return module.default.map((entry) => (Array.isArray(entry) ? entry[0] : entry));
}
