#!/usr/bin/python3
"""STAND-IN for kojid (koji's builder daemon). No registry this project can reach ships kojid, so
the local kojid image runs this instead, clearly labelled. It does what kojid does before it
builds anything: reads the config it is given (--config, [kojid] section), checks that every
file kojid reads is there and readable by this user and that its work directories are
writable, that mock would copy a trust holding the hub's CA into its chroots and that an HTTPS
topurl verifies against that trust, logs in to the hub with its client certificate through the
real koji library, then stays up reporting its session. It builds nothing. Exits non-zero when a check fails, as kojid
would fail to start."""
import argparse
import configparser
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

import koji

# Fedora's system trust, as the kojid pod lays it out (the hub's CA among its anchors).
SYSTEM_BUNDLE = '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem'
SITE_DEFAULTS = '/etc/mock/site-defaults.cfg'


def fail(message):
    sys.stderr.write('kojid STAND-IN: %s\n' % message)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--config', default='/etc/kojid/kojid.conf')
    parser.add_argument('--fg', action='store_true')
    parser.add_argument('--force-lock', action='store_true')
    parser.add_argument('--verbose', action='store_true')
    args = parser.parse_args()
    print('kojid STAND-IN (not koji\'s kojid: no registry ships it); uid %d, config %s'
          % (os.getuid(), args.config), flush=True)
    config = configparser.RawConfigParser()
    if not config.read(args.config) or not config.has_section('kojid'):
        fail('cannot read a [kojid] section from %s' % args.config)
    opts = dict(config.items('kojid'))
    for key in ('server', 'cert', 'serverca', 'topurl'):
        if not opts.get(key):
            fail('%s has no %s' % (args.config, key))
    for key in ('cert', 'serverca'):
        if not os.access(opts[key], os.R_OK):
            fail('%s=%s is not readable' % (key, opts[key]))
    for key, default in (('topdir', '/mnt/koji'), ('workdir', '/var/tmp/koji')):
        path = opts.get(key, default)
        if not os.path.isdir(path):
            fail('%s=%s is not a directory' % (key, path))
    if not os.access(opts.get('workdir', '/var/tmp/koji'), os.W_OK):
        fail('workdir %s is not writable' % opts.get('workdir', '/var/tmp/koji'))
    check_mock_trust()
    check_topurl(opts['topurl'])
    session = koji.ClientSession(opts['server'], {'cert': opts['cert'], 'serverca': opts['serverca']})
    while True:
        try:
            # A fault after the login (the hub's database still starting) keeps the session:
            # logging in again would be refused with "Already logged in".
            if not session.logged_in:
                session.ssl_login(cert=opts['cert'], serverca=opts['serverca'])
            user = session.getLoggedInUser()
            print('kojid STAND-IN: logged in to %s as %s' % (opts['server'], user['name']), flush=True)
            break
        except Exception as e:  # kojid retries its login too
            print('kojid STAND-IN: login to %s failed: %s; retrying' % (opts['server'], e), flush=True)
            time.sleep(10)
    while True:
        time.sleep(60)
        print('kojid STAND-IN: session %s alive' % session.sinfo.get('session-id'), flush=True)


def check_mock_trust():
    """What mock would copy into its chroots: site-defaults.cfg read as mock reads it (exec with
    config_opts), and the system trust it names, which must hold the extracted bundles."""
    config_opts = {'ssl_copied_ca_trust_dirs': [('/etc/pki/ca-trust', '/etc/pki/ca-trust')]}
    try:
        with open(SITE_DEFAULTS) as f:
            exec(compile(f.read(), SITE_DEFAULTS, 'exec'), {'config_opts': config_opts})
    except Exception as e:  # mock would refuse it too
        fail('mock could not read %s: %s' % (SITE_DEFAULTS, e))
    copied = [src for src, _ in (config_opts.get('ssl_copied_ca_trust_dirs') or [])]
    if not any(SYSTEM_BUNDLE.startswith(src.rstrip('/') + '/') for src in copied):
        fail('%s does not copy %s into the chroots' % (SITE_DEFAULTS, SYSTEM_BUNDLE))
    if not os.access(SYSTEM_BUNDLE, os.R_OK):
        fail('%s is missing: the trust-hub-ca init container did not run' % SYSTEM_BUNDLE)
    print('kojid STAND-IN: mock would copy %s into its chroots' % ', '.join(copied), flush=True)


def check_topurl(topurl):
    """kojid and mock fetch topurl trusting the system bundle only (not serverca): an HTTPS one
    must verify against it. Any HTTP answer proves that; a refused certificate is fatal."""
    if not topurl.startswith('https://'):
        print('kojid STAND-IN: topurl %s is plain HTTP' % topurl, flush=True)
        return
    context = ssl.create_default_context(cafile=SYSTEM_BUNDLE)
    while True:
        try:
            urllib.request.urlopen(topurl.rstrip('/') + '/', context=context, timeout=10).close()
            break
        except urllib.error.HTTPError:
            break  # an answer over verified TLS
        except urllib.error.URLError as e:
            if isinstance(e.reason, ssl.SSLCertVerificationError):
                fail('topurl %s: the system trust does not verify it: %s' % (topurl, e.reason))
            print('kojid STAND-IN: topurl %s not reachable yet: %s; retrying' % (topurl, e.reason), flush=True)
            time.sleep(10)
    print('kojid STAND-IN: topurl %s verified with the system trust (%s)' % (topurl, SYSTEM_BUNDLE), flush=True)


if __name__ == '__main__':
    main()
