// The reflect-metadata keys the decorators write and the registry reads. Kept in one place
// so the two sides cannot drift.
export const CONTROLLER_METADATA = Symbol.for('fedora-operators:controller');
export const HANDLERS_METADATA = Symbol.for('fedora-operators:handlers');
export const OWNS_METADATA = Symbol.for('fedora-operators:owns');
export const WATCHES_METADATA = Symbol.for('fedora-operators:watches');
export const RBAC_METADATA = Symbol.for('fedora-operators:rbac');
