import { ApiError } from '../kube/errors.js';
import { namespaceState } from './served-namespaces.js';

test('a namespace is missing only when the apiserver says 404; other failures cannot tell', () => {
  expect(namespaceState(undefined)).toBe('present');
  expect(namespaceState(new ApiError(404, 'NotFound', 'namespaces "x" not found', {}))).toBe('missing');
  expect(namespaceState(new ApiError(403, 'Forbidden', 'forbidden', {}))).toBe('unknown');
  expect(namespaceState(new Error('socket hang up'))).toBe('unknown');
});
