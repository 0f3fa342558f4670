#!/usr/bin/python3
"""STAND-IN for kojid (koji's builder daemon). No registry this project can reach ships kojid, so
the local kojid image runs this instead, clearly labelled. It does what kojid does before it
builds anything: reads the config it is given (--config, [kojid] section), checks that every
file kojid reads is there and readable by this user and that its work directories are
writable, logs in to the hub with its client certificate through the real koji library, then
stays up reporting its session. It builds nothing. Exits non-zero when a check fails, as kojid
would fail to start."""
import argparse
import configparser
import os
import sys
import time

import koji


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
    for key in ('server', 'cert', 'serverca'):
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
    session = koji.ClientSession(opts['server'], {'cert': opts['cert'], 'serverca': opts['serverca']})
    while True:
        try:
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


if __name__ == '__main__':
    main()
