"""STAND-IN for kojiweb's WSGI publisher (koji-web). No registry this project can reach ships
kojiweb, so the local koji-web image serves this under the real Apache httpd, with the
operator's httpd configuration, at the path where kojiweb's publisher would be. Like kojiweb it
reads /etc/kojiweb/web.conf (and web.conf.d/*.conf), needs its client certificate and the hub's
CA to be readable, and talks to the hub through the real koji library; every page says it is a
stand-in and shows the hub's version. It renders none of kojiweb's pages."""
import configparser
import glob
import html
import os

import koji

CONFIG = '/etc/kojiweb/web.conf'


def load():
    parser = configparser.RawConfigParser()
    parser.read([CONFIG] + sorted(glob.glob('/etc/kojiweb/web.conf.d/*.conf')))
    opts = dict(parser.items('web')) if parser.has_section('web') else {}
    problems = []
    for key in ('kojihuburl',):
        if not opts.get(key):
            problems.append('%s has no %s' % (CONFIG, key))
    for key in ('webcert', 'kojihubca'):
        path = opts.get(key)
        if path and not os.access(path, os.R_OK):
            problems.append('%s=%s is not readable' % (key, path))
    if not opts.get('secret'):
        problems.append('no Secret in web.conf.d (kojiweb refuses to start without one)')
    return opts, problems


def application(environ, start_response):
    opts, problems = load()
    status = '200 OK'
    try:
        version = koji.ClientSession(opts.get('kojihuburl', ''), {'serverca': opts.get('kojihubca')}).getKojiVersion()
    except Exception as e:
        version = 'unreachable (%s)' % e
        status = '503 Service Unavailable'
    if problems:
        status = '500 Internal Server Error'
    body = ('<html><head><title>koji-web STAND-IN</title></head><body>'
            '<h1>koji-web STAND-IN</h1><p>Not koji\'s kojiweb (no registry ships it).</p>'
            '<p>hub %s: koji %s</p><ul>%s</ul></body></html>'
            % (html.escape(opts.get('kojihuburl', '?')), html.escape(str(version)),
               ''.join('<li>%s</li>' % html.escape(p) for p in problems))).encode()
    start_response(status, [('Content-Type', 'text/html'), ('Content-Length', str(len(body)))])
    return [body]
