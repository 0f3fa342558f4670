import { ActionNotAllowed, AuthError, HubUnavailableError, ServerOffline } from '../koji/index.js';
import { HubConnectionError } from './hub-client-factory.js';
import { hubProblemOf, retryDelaySeconds } from './hub-problem.js';

describe('hubProblemOf', () => {
  test('maps hub failures to condition reasons', () => {
    expect(hubProblemOf(new HubUnavailableError('connection', 'connect ECONNREFUSED'))).toEqual({
      reason: 'HubUnavailable',
      message: 'connect ECONNREFUSED',
    });
    expect(hubProblemOf(new ServerOffline(1014, 'database outage'))?.reason).toBe('HubUnavailable');
    expect(hubProblemOf(new HubConnectionError('AmbiguousHub', 'two hubs'))?.reason).toBe('AmbiguousHub');
    expect(hubProblemOf(new ActionNotAllowed(1004, 'admin permission required'))?.reason).toBe(
      'KojiPermissionDenied',
    );
    expect(hubProblemOf(new AuthError(1002, 'Unknown user: kojiadmin'))?.reason).toBe('HubLoginFailed');
  });

  test('leaves programming errors to the framework', () => {
    expect(hubProblemOf(new TypeError('x is undefined'))).toBeUndefined();
  });
});

describe('retryDelaySeconds', () => {
  test('doubles per attempt up to the cap, with jitter in [base/2, base]', () => {
    expect(retryDelaySeconds(0, {}, () => 1)).toBe(2);
    expect(retryDelaySeconds(3, {}, () => 1)).toBe(16);
    expect(retryDelaySeconds(3, {}, () => 0)).toBe(8);
    expect(retryDelaySeconds(50, { maxSeconds: 300 }, () => 1)).toBe(300);
  });
});
