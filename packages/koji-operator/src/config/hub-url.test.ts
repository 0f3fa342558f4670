import { hubApiUrl, hubBaseUrl, hubFilesUrl } from './hub-url.js';

test.each([
  ['koji-hub:8443', 'https://koji-hub:8443'],
  ['https://koji-hub:8443', 'https://koji-hub:8443'],
  ['https://koji-hub:8443/kojihub/', 'https://koji-hub:8443'],
  ['http://koji-hub:8080', 'http://koji-hub:8080'],
])('%s has the base URL %s', (address, base) => {
  expect(hubBaseUrl(address)).toBe(base);
  expect(hubApiUrl(address)).toBe(`${base}/kojihub`);
  expect(hubFilesUrl(address)).toBe(`${base}/kojifiles`);
});
