import 'reflect-metadata';
import { CONTROLLER_METADATA } from './metadata-keys.js';
import type { ControllerOptions } from './options.js';

/** Marks a class as the controller of one resource kind. Records metadata only. */
export function Controller(options: ControllerOptions): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(CONTROLLER_METADATA, options, target);
  };
}
