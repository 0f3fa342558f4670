import { ApiError, NotLeaderError } from '../kube/errors.js';
import { classifyWriteError, describeWriteError } from './write-errors.js';

test('409 is a conflict to re-plan, 404 means gone', () => {
  expect(classifyWriteError(new ApiError(409, 'Conflict', 'x'))).toBe('conflict');
  expect(classifyWriteError(new ApiError(404, 'NotFound', 'x'))).toBe('gone');
});

test('422 and other 4xx are rejections, never conflicts; 429, 5xx and network errors are transient', () => {
  for (const code of [400, 403, 413, 422])
    expect(classifyWriteError(new ApiError(code, 'R', 'x'))).toBe('rejected');
  for (const code of [429, 500, 503])
    expect(classifyWriteError(new ApiError(code, 'R', 'x'))).toBe('transient');
  expect(classifyWriteError(new Error('ECONNRESET'))).toBe('transient');
});

test('the description keeps the apiserver`s own message', () => {
  expect(describeWriteError(new ApiError(422, 'Invalid', 'status.seen: Invalid value'))).toContain(
    'status.seen: Invalid value',
  );
});

test('a refusal because this process lost leadership is its own kind: nothing more is written', () => {
  expect(classifyWriteError(new NotLeaderError())).toBe('deposed');
});
