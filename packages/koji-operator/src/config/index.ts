// Pure renderers of koji's config files, from a CR spec and the inputs resolved for it.
export { renderHubConf, type HubConfInput } from './hub-conf.js';
export { renderHubHttpdConf, type HubHttpdInput } from './hub-httpd.js';
export { renderWebHttpdConf, type WebHttpdInput } from './web-httpd.js';
export { httpdAliveText } from './httpd.js';
export { renderWebConf, renderWebSecretConf, type WebConfInput } from './web-conf.js';
export { renderKojiraConf, type KojiraConfInput } from './kojira-conf.js';
export { renderKojidConf, type KojidConfInput } from './kojid-conf.js';
export { renderClientConf, type ClientConfInput } from './client-conf.js';
export { subjectDn } from './subject-dn.js';
export type { RenderedFile } from './component-file.js';
export { IniSyntaxError, parseIni, mergeIni, serializeIni, type IniDocument } from './ini.js';
export * from './layout.js';
export { hubApiUrl, hubBaseUrl, hubFilesUrl } from './hub-url.js';
export {
  renderMockSiteDefaults,
  mockCopiedTrustDirs,
  type MockSiteDefaultsInput,
} from './mock-site-defaults.js';
