// Turns what can go wrong between the operator and a koji hub into a status condition: a
// CamelCase reason people and MBBOX can act on, and the error's message (never key material:
// the koji client's errors carry none).
import {
  ActionNotAllowed,
  AuthError,
  KojiFault,
  KojiHttpError,
  KojiTlsError,
  isHubUnavailable,
} from '../koji/index.js';
import { HubConnectionError } from './hub-client-factory.js';

export interface HubProblem {
  reason: string;
  message: string;
}

/** The condition for an error from the hub or its lookup; undefined for errors that are bugs. */
export function hubProblemOf(error: unknown): HubProblem | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HubConnectionError) return { reason: error.reason, message };
  if (isHubUnavailable(error)) return { reason: 'HubUnavailable', message };
  if (error instanceof KojiTlsError) return { reason: 'HubTlsError', message };
  if (error instanceof KojiHttpError) return { reason: 'HubHttpError', message };
  if (error instanceof ActionNotAllowed) {
    return {
      reason: 'KojiPermissionDenied',
      message: `the operator's admin user lacks a permission: ${message}`,
    };
  }
  if (error instanceof AuthError) return { reason: 'HubLoginFailed', message };
  if (error instanceof KojiFault) return { reason: 'KojiFault', message };
  return undefined;
}

/**
 * The wait before retry number `attempt` (0-based): exponential, capped, with jitter so many
 * objects waiting on one hub do not all call it at the same moment.
 */
export function retryDelaySeconds(
  attempt: number,
  { initialSeconds = 2, factor = 2, maxSeconds = 300 } = {},
  random: () => number = Math.random,
): number {
  const base = Math.min(maxSeconds, initialSeconds * factor ** Math.max(0, attempt));
  return base / 2 + (base / 2) * random();
}
