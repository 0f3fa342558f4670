// Whether mock, in a builder's buildroots, can fetch the hub's files at kojid's topurl (the
// KojiBuilder's BuildrootFiles condition). A buildroot trusts its distribution's CAs, not the
// private CA a hub's certificate comes from (the operator's, gen-certs.sh's), so Fedora serves
// these files over plain HTTP (kojipkgs); hubFilesUrls picks the hub's plain-HTTP /kojifiles
// when the KojiHub has http_enabled. What this decides:
//   - http:// topurl: fine (PlainHttp);
//   - https:// from the namespace's KojiHub: False (HttpsWithPrivateCA), naming what to set,
//     unless the user gives mock a site-defaults.cfg (mock_config_cm), which is taken as
//     bringing the CA into the chroot and said so (SiteDefaultsGiven): it is not read here;
//   - https:// from elsewhere: Unknown (NotTheNamespaceHub): that certificate may be public.
import type { KojiBuilder } from '../api/index.js';

export interface BuildrootFilesCheck {
  status: 'True' | 'False' | 'Unknown';
  reason: 'PlainHttp' | 'HttpsWithPrivateCA' | 'SiteDefaultsGiven' | 'NotTheNamespaceHub';
  message: string;
}

export function buildrootFilesCheck(input: {
  topurl: string;
  builder: KojiBuilder;
  /** The namespace KojiHub whose files topurl serves, or undefined when it names another hub. */
  hubName: string | undefined;
}): BuildrootFilesCheck {
  const { topurl, builder, hubName } = input;
  if (topurl.startsWith('http://')) {
    return {
      status: 'True',
      reason: 'PlainHttp',
      message: `mock fetches the hub files over plain HTTP at ${topurl}`,
    };
  }
  if (hubName === undefined) {
    return {
      status: 'Unknown',
      reason: 'NotTheNamespaceHub',
      message: `topurl ${topurl} is not this namespace's KojiHub: mock in the buildroots can fetch from it only if its certificate comes from a CA the buildroot trusts`,
    };
  }
  const siteDefaults = builder.spec?.mock_config_cm;
  if (siteDefaults) {
    return {
      status: 'True',
      reason: 'SiteDefaultsGiven',
      message: `topurl ${topurl} is HTTPS with KojiHub ${hubName}'s private CA; mock's site-defaults.cfg comes from ConfigMap ${siteDefaults}, which must bring that CA into the buildroots`,
    };
  }
  return {
    status: 'False',
    reason: 'HttpsWithPrivateCA',
    message: `topurl ${topurl} is HTTPS with KojiHub ${hubName}'s private CA, which mock in the buildroots does not trust, so builds could not fetch their repos: set http_enabled: true on KojiHub ${hubName} (plain-HTTP /kojifiles in the cluster, as Fedora's kojipkgs), or give mock a site-defaults.cfg that brings the CA in (mock_config_cm)`,
  };
}
