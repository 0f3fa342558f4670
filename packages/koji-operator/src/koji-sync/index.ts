// Koji-side data the operator keeps in sync: users and their permissions, the service users of
// kojira and kojiweb, and builder hosts.
export * from './user-plan.js';
export * from './users.js';
export * from './service-users.js';
export * from './builder-hosts.js';
export * from './user-needs.js';
