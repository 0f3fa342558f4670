import { subjectDn } from './subject-dn.js';

// A public certificate only (its key was thrown away): subject /O=KojiTest/OU=web/CN=kojiweb.
const kojiwebCert = `-----BEGIN CERTIFICATE-----
MIIDRzCCAi+gAwIBAgIUCvq3Z67iWozR2LOF9c1czb+4uUAwDQYJKoZIhvcNAQEL
BQAwMzERMA8GA1UECgwIS29qaVRlc3QxDDAKBgNVBAsMA3dlYjEQMA4GA1UEAwwH
a29qaXdlYjAeFw0yNjExMjUwNjI2MjFaFw0zNjExMjIwNjI2MjFaMDMxETAPBgNV
BAoMCEtvamlUZXN0MQwwCgYDVQQLDAN3ZWIxEDAOBgNVBAMMB2tvaml3ZWIwggEi
MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDHYOcgZqXidjKOgSIdyex6SDja
Ij8/71aQVmoVfX4+2q4VjMqRDWx6ksp1FKdSdf5I0yvcjGIQ6PdTxuYxbNPfxDse
yXdlCgkfSbv8n7kYlYYehg6E2CjA3jnFHLx+M+jxMdFpw6mIWvREw+Owv0UsHan4
34ABq7Dx7hemHUvMDQQzOLvDRp+lwXavPt77wfDNeZQ0QNLhYwO66t+vWEE4Jwvm
82ZgCo6tqFFfqx2ngCsAXfMQGiP/2uCH6C30G+xGSGR9qDIGyNXJir7c0bQ8vJa7
r6jlIREGCffeb38wwooYVHDHvK6Uh4sqkBi9D3B0q8Pd7uZzQj6J106InGV9AgMB
AAGjUzBRMB0GA1UdDgQWBBQOedVPx+xoEM/84bG/3VLsB5sg5jAfBgNVHSMEGDAW
gBQOedVPx+xoEM/84bG/3VLsB5sg5jAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3
DQEBCwUAA4IBAQBkvSK1/mOj5IW20WcBSrjfEmUXHRw6TpqxkHptm0IT24D8l0Vb
0Bv/269klr3PcnObj77McYUIJ9TOxD05P6zZBRNCHlxJ16StB1MsLs1TARyiMt2l
9uCPXyEjjuhhXdzs96HX1iFLHsyswLuNEV2VnDvGd/ypRt6gipC9yuNwhK761emo
pMPursR5aPpBkjBkvy7JYBVTTPV/MfLvgQwAx8WuDxhdyb4j8TongwE+aoid3qyz
2XCHqZzNDsfifllJVf87/5kwK1odpf8xWrFxJRYI5po8rlCc759bP/VLaQofFiRv
F/cURCC42ce9Xr+ghGq+8fHqGfkd+mpI10wz
-----END CERTIFICATE-----
`;

test('gives the DN in the RFC 2253 order Apache puts in SSL_CLIENT_S_DN', () => {
  expect(subjectDn(kojiwebCert)).toBe('CN=kojiweb,OU=web,O=KojiTest');
});
