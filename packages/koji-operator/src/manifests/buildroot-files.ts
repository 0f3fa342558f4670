// Whether mock, in a builder's buildroots, can fetch the hub's files at kojid's topurl (the
// KojiBuilder's BuildrootFiles condition). A buildroot trusts what mock copies into it: the
// kojid container's CA trust (mock's ssl_copied_ca_trust_dirs). The operator makes the hub's
// CA (cacert_secret) an anchor of that trust in every kojid pod (manifests/koji-builder.ts),
// as Fedora's builders trust what kojipkgs serves. What this decides:
//   - http:// topurl: fine (PlainHttp);
//   - https:// from the namespace's KojiHub: fine, the CA is provided (HubCaProvided); with the
//     user's own site-defaults.cfg (mock_config_cm) also True (SiteDefaultsGiven), saying that
//     file must keep mock's copying of the CA trust: it is not read here;
//   - https:// from elsewhere: Unknown (NotTheNamespaceHub): its certificate may come from a CA
//     neither the distribution nor cacert_secret has.
import type { KojiBuilder } from '../api/index.js';

export interface BuildrootFilesCheck {
  status: 'True' | 'False' | 'Unknown';
  reason: 'PlainHttp' | 'HubCaProvided' | 'SiteDefaultsGiven' | 'NotTheNamespaceHub';
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
  const caSecret = builder.spec?.cacert_secret;
  const siteDefaults = builder.spec?.mock_config_cm;
  if (siteDefaults) {
    return {
      status: 'True',
      reason: 'SiteDefaultsGiven',
      message: `topurl ${topurl} is HTTPS with KojiHub ${hubName}'s private CA, which the kojid pods trust (Secret ${caSecret}); mock's site-defaults.cfg comes from ConfigMap ${siteDefaults}, which must keep mock's ssl_copied_ca_trust_dirs copying /etc/pki/ca-trust into the chroots`,
    };
  }
  return {
    status: 'True',
    reason: 'HubCaProvided',
    message: `topurl ${topurl} is HTTPS with KojiHub ${hubName}'s private CA (Secret ${caSecret}): it is a trust anchor of the kojid pods, and mock copies that trust into its bootstrap chroot and buildroots (site-defaults.cfg, ssl_copied_ca_trust_dirs)`,
  };
}
