#!/usr/bin/env python3
"""An emulator of koji-hub for integration tests (see README.md beside this file).

It speaks koji's XML-RPC over HTTPS with the PyPI ``koji`` library's own marshalling
(koji.xmlrpcplus) and fault classes, keeps its state in PostgreSQL (schema.sql beside this file,
table names as in koji), and implements the user, permission, host, channel and session methods
with the semantics, argument lists and fault texts of koji's hub (kojihub/kojihub.py,
kojihub/auth.py and kojihub/kojixmlrpc.py; the commit checked is in README.md). The code is
written for this project; it follows koji's behaviour, not its code.

Usage:
  kojihub_emulator.py serve --dsn DSN --cert C --key K --ca CA [--port N] [--port-file F]
                            [--admin NAME] [--option Key=Value ...]
  kojihub_emulator.py sql --dsn DSN QUERY      (prints {"rows": [...], "rowcount": n} as JSON)

As a WSGI application (``application`` below) it runs where koji's own hub runs: under Apache
httpd with mod_wsgi at /kojihub, mod_ssl doing TLS and client-certificate verification and
passing SSL_CLIENT_* to the ssllogin location. It then reads hub.conf (and hub.conf.d/*.conf)
as koji's hub does - the files named by the koji.hub.ConfigFile / koji.hub.ConfigDir
variables, by default /etc/koji-hub/hub.conf(.d) - for the database (DBName, DBUser, DBHost,
DBPort, DBPass, or DBConnectionString) and the options above; the schema is loaded by whoever
deploys it (psql with schema.sql), not by the application.
"""

import argparse
import configparser
import datetime
import glob
import inspect
import json
import os
import random
import re
import socket
import ssl
import string
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import koji
import koji.util
import psycopg
import psycopg.conninfo
from psycopg.rows import dict_row
from koji.xmlrpcplus import ExtendedMarshaller, Fault, dumps, getparser

HERE = os.path.dirname(os.path.abspath(__file__))

# hub.conf options the emulator honours, with koji's defaults (kojixmlrpc.config_map), except
# LoginCreatesUser, which the operator turns off and which therefore defaults to off here.
DEFAULT_OPTS = {
    'LoginCreatesUser': False,
    'CheckClientIP': True,
    'DisableURLSessions': False,
    'SessionRenewalTimeout': 1440,
    'DNUsernameComponent': 'CN',
    'ProxyDNs': '',
    'HostPrincipalFormat': None,
    'AllowedKrbRealms': '*',
    'MaxNameLengthInternal': 256,
    'RegexNameInternal': r'^[A-Za-z0-9/_.+-]+$',
    'RegexUserName': r'^[A-Za-z0-9/_.@-]+$',
    'MaxRequestLength': 4194304,
    'LockOut': False,
    'ServerOffline': False,
    'OfflineMessage': None,
    'KojiVersion': koji.__version__,
    # Not hub.conf options: how this emulator differs from the hub it follows.
    # False: read the call number from `Koji-Callnum` only, as koji 1.35.3's auth.py does
    # (the `Koji-Session-Callnum` lookup came later).
    'SessionCallnumHeader': True,
    # Space-separated method names whose first call is done and committed, and then its answer
    # lost (the connection closes without a response), as when a proxy or network drops it.
    'LoseAnswerOf': '',
}
BOOL_OPTS = {k for k, v in DEFAULT_OPTS.items() if isinstance(v, bool)}
INT_OPTS = {'SessionRenewalTimeout', 'MaxNameLengthInternal', 'MaxRequestLength'}

RETRY_WHITELIST = {'host.taskWait', 'host.taskUnwait', 'host.taskSetWait', 'host.updateHost',
                   'host.setBuildRootState', 'repoExpire', 'repoDelete', 'repoProblem'}
AUTH_METHODS = {'login', 'sslLogin'}

# mod_ssl names of DN attributes (SSL_CLIENT_S_DN_<x>) for the long names Python's ssl gives.
DN_NAMES = {
    'commonName': 'CN', 'organizationName': 'O', 'organizationalUnitName': 'OU',
    'countryName': 'C', 'stateOrProvinceName': 'ST', 'localityName': 'L',
    'emailAddress': 'Email', 'userId': 'UID', 'domainComponent': 'DC',
}


def log(message):
    sys.stderr.write('%s %s\n' % (datetime.datetime.now().strftime('%H:%M:%S.%f')[:-3], message))
    sys.stderr.flush()


class Marshaller(ExtendedMarshaller):
    """koji's hub marshaller: datetimes go out as isoformat(' ') strings (kojixmlrpc.Marshaller)."""

    dispatch = ExtendedMarshaller.dispatch.copy()

    def dump_datetime(self, value, write):
        self.dump_unicode(value.isoformat(' '), write)

    dispatch[datetime.datetime] = dump_datetime


class BadRequest(Exception):
    pass


class Context(object):
    """What koji keeps in koji.context.context for one request."""

    def __init__(self, opts, environ, cnx):
        self.opts = opts
        self.environ = environ
        self.cnx = cnx
        self.method = None
        self.session = None
        self.event_id = None
        self.commit_pending = False

    # --- database helpers
    def query(self, sql, values=None):
        with self.cnx.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, values or {})
            return cur.fetchall() if cur.description else []

    def one(self, sql, values=None):
        rows = self.query(sql, values)
        return rows[0] if rows else None

    def value(self, sql, values=None):
        row = self.one(sql, values)
        return None if row is None else list(row.values())[0]

    def dml(self, sql, values=None):
        with self.cnx.cursor() as cur:
            cur.execute(sql, values or {})
            self.commit_pending = True
            return cur.rowcount

    def event(self):
        if self.event_id is None:
            self.event_id = self.value('SELECT get_event()')
        return self.event_id

    def create_versioned(self, table, data):
        """koji's InsertProcessor.make_create(): a new active row made by this session's user."""
        data = dict(data, create_event=self.event(), creator_id=self.session.user_id)
        cols = ', '.join(data)
        vals = ', '.join('%%(%s)s' % k for k in data)
        self.dml('INSERT INTO %s (%s) VALUES (%s)' % (table, cols, vals), data)

    def revoke_versioned(self, table, clause, values):
        """koji's UpdateProcessor.make_revoke(): the active rows become history."""
        values = dict(values, _event=self.event(), _revoker=self.session.user_id)
        self.dml('UPDATE %s SET active = NULL, revoke_event = %%(_event)s, '
                 'revoker_id = %%(_revoker)s WHERE active IS TRUE AND %s' % (table, clause),
                 values)


def event_condition(event, table):
    if event is None:
        return '(%s.active = TRUE)' % table
    if isinstance(event, int) and not isinstance(event, bool):
        return ('(%(t)s.create_event <= %(e)d AND (%(t)s.revoke_event IS NULL OR '
                '%(e)d < %(t)s.revoke_event))' % {'t': table, 'e': event})
    raise koji.GenericError('Invalid event: %r' % event)


def name_or_id_clause(table, info):
    if isinstance(info, dict):
        if 'id' in info:
            try:
                info = int(info['id'])
            except (ValueError, TypeError):
                raise koji.ParameterError('Invalid name or id value: %s' % info)
        elif 'name' in info:
            info = info['name']
        else:
            raise koji.ParameterError('Invalid name or id value: %s' % info)
    if isinstance(info, int):
        return '(%s.id = %%(info)s)' % table, {'info': info}
    if isinstance(info, str):
        return '(%s.name = %%(info)s)' % table, {'info': info}
    raise koji.ParameterError('Invalid name or id value: %s' % info)


def convert_value(value, cast, message=None, none_allowed=False):
    """koji's convert_value(..., check_only=True)."""
    if value is None:
        if not none_allowed:
            raise koji.ParameterError(message or 'Invalid type, expected type %s' % cast)
        return
    if not isinstance(value, cast):
        raise koji.ParameterError(message or "Invalid type for value '%s': %s, expected type %s"
                                  % (value, type(value), cast))


def cast_value(value, cast, none_allowed=False):
    """koji's convert_value(value, cast) without check_only: casts, e.g. '7' -> 7."""
    if value is None:
        if not none_allowed:
            raise koji.ParameterError('Invalid type, expected type %s' % cast)
        return None
    try:
        return cast(value)
    except (ValueError, TypeError):
        raise koji.ParameterError("Invalid type for value '%s': %s, expected type %s"
                                  % (value, type(value), cast))


def apply_query_opts(rows, query_opts):
    """The parts of koji's queryOpts the emulated list calls honour."""
    query_opts = query_opts or {}
    order = query_opts.get('order')
    if order:
        for key in reversed(order.split(',')):
            key = key.strip()
            reverse = key.startswith('-')
            key = key.lstrip('-')
            rows = sorted(rows, key=lambda r: (r.get(key) is None, r.get(key)), reverse=reverse)
    offset = query_opts.get('offset')
    if offset:
        rows = rows[offset:]
    limit = query_opts.get('limit')
    if limit:
        rows = rows[:limit]
    if query_opts.get('countOnly'):
        return len(rows)
    return rows


# ---------------------------------------------------------------------------- sessions (auth.py)

class Session(object):

    def __init__(self, ctx):
        self.ctx = ctx
        self.logged_in = False
        self.id = None
        self.key = None
        self.user_id = None
        self.authtype = None
        self.master = None
        self.hostip = None
        self.callnum = None
        self.exclusive = False
        self.lockerror = None
        self.user_data = {}
        self._perms = None
        environ = ctx.environ
        args = environ.get('QUERY_STRING', '')
        callnum = None
        if 'HTTP_KOJI_SESSION_ID' in environ:
            self.id = int(environ['HTTP_KOJI_SESSION_ID'])
            self.key = environ.get('HTTP_KOJI_SESSION_KEY')
            if ctx.opts['SessionCallnumHeader'] and 'HTTP_KOJI_SESSION_CALLNUM' in environ:
                callnum = int(environ['HTTP_KOJI_SESSION_CALLNUM'])
            elif 'HTTP_KOJI_CALLNUM' in environ:
                callnum = int(environ['HTTP_KOJI_CALLNUM'])
        elif not ctx.opts['DisableURLSessions'] and args is not None:
            if not args:
                return
            args = urllib.parse.parse_qs(args, strict_parsing=True)
            try:
                self.id = int(args['session-id'][0])
                self.key = args['session-key'][0]
            except KeyError as field:
                raise koji.AuthError('%s not specified in session args' % field)
            try:
                callnum = args['callnum'][0]
            except Exception:
                callnum = None
        else:
            return
        hostip = self.get_remote_ip()
        data = ctx.one(
            "SELECT authtype, callnum, exclusive, expired, master, user_id, "
            "date_part('epoch', start_time) AS start_ts, "
            "date_part('epoch', renew_time) AS renew_ts FROM sessions "
            "WHERE id = %(id)s AND key = %(key)s AND hostip = %(hostip)s AND closed IS FALSE "
            "FOR UPDATE", {'id': self.id, 'key': self.key, 'hostip': hostip})
        if not data:
            raise koji.AuthError('Invalid session or bad credentials')
        timeout = ctx.opts['SessionRenewalTimeout']
        if not data['expired'] and timeout != 0:
            cutoff = (data['renew_ts'] or data['start_ts']) + timeout * 60
            if time.time() > cutoff:
                data['expired'] = True
                ctx.dml('UPDATE sessions SET expired = TRUE WHERE id = %(id)s OR master = %(id)s',
                        {'id': self.id})
                ctx.cnx.commit()
        if data['expired'] and ctx.method not in AUTH_METHODS:
            raise koji.AuthExpired('session "%s" has expired' % self.id)
        if callnum is not None:
            try:
                callnum = int(callnum)
            except (ValueError, TypeError):
                raise koji.AuthError('Invalid callnum: %r' % callnum)
            lastcall = data['callnum']
            if lastcall is not None:
                if lastcall > callnum:
                    raise koji.SequenceError('%s > %s (session %s)' % (lastcall, callnum, self.id))
                if lastcall == callnum and ctx.method not in RETRY_WHITELIST:
                    raise koji.RetryError('unable to retry call %s (method %s) for session %s'
                                          % (callnum, ctx.method, self.id))
        if data['expired']:
            return
        user = ctx.one('SELECT name, status, usertype FROM users WHERE id = %(id)s',
                       {'id': data['user_id']})
        if user['status'] != koji.USER_STATUS['NORMAL']:
            raise koji.AuthError('logins by %s are not allowed' % user['name'])
        if data['exclusive']:
            self.exclusive = True
        else:
            excl_id = ctx.value('SELECT id FROM sessions WHERE user_id = %(user_id)s AND '
                                'exclusive = TRUE AND closed = FALSE', data)
            if excl_id:
                if excl_id == data['master']:
                    self.exclusive = True
                else:
                    self.lockerror = 'User locked by another session'
        ctx.dml('UPDATE sessions SET update_time = NOW() WHERE id = %(id)s', {'id': self.id})
        ctx.cnx.commit()
        # As in koji, the call number is stored after that commit and is committed only with
        # the changes of a call that writes (so a read can be retried with the same number).
        ctx.commit_pending = False
        if callnum is not None:
            ctx.dml('UPDATE sessions SET callnum = %(c)s WHERE id = %(id)s',
                    {'c': callnum, 'id': self.id})
            ctx.commit_pending = False
        self.hostip = hostip
        self.callnum = callnum
        self.user_id = data['user_id']
        self.authtype = data['authtype']
        self.master = data['master']
        self.user_data = user
        self.logged_in = True

    @property
    def perms(self):
        if self._perms is None:
            self._perms = set(get_user_perms(self.ctx, self.user_id))
        return self._perms

    def validate(self):
        if self.lockerror:
            raise koji.AuthLockError(self.lockerror)

    def get_remote_ip(self):
        if not self.ctx.opts['CheckClientIP']:
            return '-'
        hostip = self.ctx.environ['REMOTE_ADDR']
        if hostip == '127.0.0.1':
            hostip = socket.gethostbyname(socket.gethostname())
        return hostip

    def check_login_allowed(self, user_id):
        row = self.ctx.one('SELECT name, status FROM users WHERE id = %(id)s', {'id': user_id})
        if not row:
            raise koji.AuthError('invalid user_id: %s' % user_id)
        if row['status'] != koji.USER_STATUS['NORMAL']:
            raise koji.AuthError('logins by %s are not allowed' % row['name'])

    def login(self, user, password, opts=None, renew=False, exclusive=False):
        if opts is None:
            opts = {}
        if not isinstance(password, str) or len(password) == 0:
            raise koji.AuthError('invalid username or password')
        if self.logged_in:
            raise koji.AuthError('Already logged in')
        hostip = opts.get('hostip') if self.ctx.opts['CheckClientIP'] and opts.get('hostip') \
            else self.get_remote_ip()
        user_id = self.ctx.value('SELECT id FROM users WHERE name = %(u)s AND password = %(p)s',
                                 {'u': user, 'p': password})
        if not user_id:
            raise koji.AuthError('invalid username or password')
        self.check_login_allowed(user_id)
        sinfo = self.create_session(user_id, hostip, koji.AUTHTYPES['NORMAL'], renew=renew)
        if sinfo and exclusive and not self.exclusive:
            self.make_exclusive()
        return sinfo

    def ssl_login(self, proxyuser=None, proxyauthtype=None, renew=False, exclusive=None):
        if self.logged_in:
            raise koji.AuthError('Already logged in')
        environ = self.ctx.environ
        if environ.get('SSL_CLIENT_VERIFY') != 'SUCCESS':
            raise koji.AuthError('could not verify client: %s' % environ.get('SSL_CLIENT_VERIFY'))
        component = self.ctx.opts['DNUsernameComponent']
        username = environ.get('SSL_CLIENT_S_DN_%s' % component)
        if not username:
            raise koji.AuthError('unable to get user information (%s) from client certificate'
                                 % component)
        client_dn = environ.get('SSL_CLIENT_S_DN')
        authtype = koji.AUTHTYPES['SSL']
        if proxyuser:
            proxy_dns = [dn.strip() for dn in self.ctx.opts['ProxyDNs'].split('|')]
            if client_dn in proxy_dns:
                username = proxyuser
            else:
                raise koji.AuthError('%s is not authorized to login other users' % client_dn)
            if proxyauthtype is not None:
                if authtype != proxyauthtype:
                    raise koji.AuthError('Proxy must use same auth mechanism as hub (behaviour '
                                         'can be overriden via AllowProxyAuthType hub option)')
        user_id = self.ctx.value('SELECT id FROM users WHERE name = %(n)s', {'n': username})
        if not user_id:
            if self.ctx.opts['LoginCreatesUser']:
                user_id = self.create_user(username)
            else:
                raise koji.AuthError('Unknown user: %s' % username)
        self.check_login_allowed(user_id)
        sinfo = self.create_session(user_id, self.get_remote_ip(), authtype, renew=renew)
        if sinfo and exclusive and not self.exclusive:
            self.make_exclusive()
        return sinfo

    def create_session(self, user_id, hostip, authtype, master=None, renew=False):
        alnum = string.ascii_letters + string.digits
        key = '%s-%s' % (user_id, ''.join(random.choice(alnum) for _ in range(1, 20)))
        ctx = self.ctx
        if renew and self.id is not None:
            session_id = self.id
            self.key = key
            ctx.dml('UPDATE sessions SET update_time = NOW(), renew_time = NOW(), '
                    'key = %(key)s, expired = FALSE WHERE id = %(id)s',
                    {'key': key, 'id': session_id})
        else:
            session_id = ctx.value(
                'INSERT INTO sessions (user_id, key, hostip, authtype, master) '
                'VALUES (%(u)s, %(k)s, %(h)s, %(a)s, %(m)s) RETURNING id',
                {'u': user_id, 'k': key, 'h': hostip, 'a': authtype, 'm': master})
        ctx.cnx.commit()
        return {'session-id': session_id, 'session-key': key, 'header-auth': True}

    def make_exclusive(self, force=False):
        if self.master is not None:
            raise koji.GenericError('subsessions cannot become exclusive')
        if self.exclusive:
            raise koji.GenericError('session is already exclusive')
        ctx = self.ctx
        ctx.query('SELECT id FROM users WHERE id = %(u)s FOR UPDATE', {'u': self.user_id})
        excl_id = ctx.value('SELECT id FROM sessions WHERE user_id = %(u)s AND closed = FALSE '
                            'AND exclusive = TRUE FOR UPDATE', {'u': self.user_id})
        if excl_id:
            if force:
                ctx.dml('UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE '
                        'WHERE id = %(id)s', {'id': excl_id})
            else:
                raise koji.AuthLockError('Cannot get exclusive session')
        ctx.dml('UPDATE sessions SET exclusive = TRUE WHERE id = %(id)s', {'id': self.id})
        ctx.cnx.commit()

    def make_shared(self):
        self.ctx.dml('UPDATE sessions SET exclusive = NULL WHERE id = %(id)s', {'id': self.id})
        self.ctx.cnx.commit()

    def logout(self, session_id=None):
        if not self.logged_in:
            raise koji.AuthError('Not logged in')
        if session_id:
            if not self.has_perm('admin'):
                if not self.ctx.value('SELECT id FROM sessions WHERE user_id = %(u)s AND '
                                      'id = %(s)s', {'u': self.user_id, 's': session_id}):
                    raise koji.ActionNotAllowed('only admins or owner may logout other session')
            ses_id = session_id
        else:
            ses_id = self.id
        self.ctx.dml('UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE '
                     'WHERE id = %(id)s OR master = %(id)s', {'id': ses_id})
        self.ctx.cnx.commit()
        if not session_id:
            self.logged_in = False

    def subsession(self):
        if not self.logged_in:
            raise koji.AuthError('Not logged in')
        master = self.master if self.master is not None else self.id
        return self.create_session(self.user_id, self.hostip, self.authtype, master=master)

    def logout_child(self, session_id):
        if not self.logged_in:
            raise koji.AuthError('Not logged in')
        self.ctx.dml('UPDATE sessions SET expired = TRUE, exclusive = NULL, closed = TRUE '
                     'WHERE id = %(s)s AND master = %(m)s', {'s': session_id, 'm': self.id})
        self.ctx.cnx.commit()

    def create_user(self, name, usertype=None, status=None, krb_principal=None):
        if not name:
            raise koji.GenericError('a user must have a non-empty name')
        if usertype is None:
            usertype = koji.USERTYPES['NORMAL']
        elif not koji.USERTYPES.get(usertype):
            raise koji.GenericError('invalid user type: %s' % usertype)
        if status is None:
            status = koji.USER_STATUS['NORMAL']
        elif not koji.USER_STATUS.get(status):
            raise koji.GenericError('invalid status: %s' % status)
        user_id = self.ctx.value(
            'INSERT INTO users (name, usertype, status) VALUES (%(n)s, %(t)s, %(s)s) RETURNING id',
            {'n': name, 't': usertype, 's': status})
        if krb_principal:
            self.ctx.dml('INSERT INTO user_krb_principals (user_id, krb_principal) '
                         'VALUES (%(u)s, %(k)s)', {'u': user_id, 'k': krb_principal})
        self.ctx.commit_pending = True
        return user_id

    def get_perms(self):
        return list(self.perms) if self.logged_in else []

    def has_perm(self, name):
        return self.logged_in and name in self.perms

    def assert_perm(self, name):
        if not self.has_perm(name) and not self.has_perm('admin'):
            msg = '%s permission required' % name
            if self.logged_in:
                msg += ' (logged in as %s)' % self.user_data['name']
            else:
                msg += ' (user not logged in)'
            raise koji.ActionNotAllowed(msg)

    def assert_login(self):
        if not self.logged_in:
            raise koji.ActionNotAllowed('you must be logged in for this operation')


def get_user_groups(ctx, user_id):
    rows = ctx.query('SELECT group_id, name FROM user_groups JOIN users ON group_id = users.id '
                     'WHERE active IS TRUE AND users.usertype = %(g)s AND user_id = %(u)s',
                     {'g': koji.USERTYPES['GROUP'], 'u': user_id})
    return dict((r['group_id'], r['name']) for r in rows)


def get_user_perms(ctx, user_id, with_groups=True, inheritance_data=False):
    if inheritance_data and not with_groups:
        raise koji.ParameterError('inheritance option implies with_groups')
    perms = {}
    for row in ctx.query('SELECT name FROM user_perms JOIN permissions ON perm_id = '
                         'permissions.id WHERE active IS TRUE AND user_id = %(u)s',
                         {'u': user_id}):
        perms[row['name']] = [None]
    if with_groups:
        for row in ctx.query(
                'SELECT permissions.name AS name, users.name AS "group" FROM user_groups '
                'JOIN user_perms ON user_perms.user_id = user_groups.group_id '
                'JOIN permissions ON perm_id = permissions.id '
                'JOIN users ON user_groups.group_id = users.id '
                'WHERE user_groups.active IS TRUE AND user_perms.active IS TRUE '
                'AND user_groups.user_id = %(u)s', {'u': user_id}):
            if inheritance_data:
                perms.setdefault(row['name'], []).append(row['group'])
            else:
                perms.setdefault(row['name'], [])
    return perms if inheritance_data else list(perms.keys())


# ---------------------------------------------------------------------------- query views (db.py)

class QueryView(object):
    """koji's db.QueryView, which the repo calls take their arguments for: clauses as
    [field, op, value] (or [field, value]: `=`, or IN for a list), fields by name or '*' (those
    needing no join) or '**' (all), opts order/offset/limit/countOnly/asList. Unknown fields,
    operators or order terms are ParameterErrors, as in koji."""

    table = None
    joinmap = {}
    fieldmap = {}
    default_fields = ()
    OPERATORS = ('IN', '=', '!=', '>', '<', '>=', '<=', 'IS', 'IS NOT', '@>', '<@')

    def __init__(self, ctx, clauses=None, fields=None, opts=None):
        self.ctx = ctx
        self.clauses = clauses
        self.fields = fields
        self.opts = opts or {}
        self._joins = []

    def _map(self, field):
        info = self.fieldmap.get(field)
        if info is None:
            raise koji.ParameterError('Invalid field for query %s' % field)
        column, join = info
        if join and join not in self._joins:
            self._joins.append(join)
        return column

    def _where(self, values):
        result = []
        for n, clause in enumerate(self.clauses or []):
            if len(clause) == 2:
                field, value = clause
                op = 'IN' if isinstance(value, (list, tuple)) else '='
            elif len(clause) == 3:
                field, op, value = clause
                op = op.upper()
                if op not in self.OPERATORS:
                    raise koji.ParameterError('Invalid operator: %s' % op)
            else:
                raise koji.ParameterError('Invalid clause: %s' % (clause,))
            column = self._map(field)
            key = 'v_%s_%d' % (field, n)
            if op == 'IN':
                # koji's psycopg2 binds a tuple for IN; psycopg 3 wants = ANY(list).
                result.append('%s = ANY(%%(%s)s)' % (column, key))
                values[key] = list(value)
            elif op in ('IS', 'IS NOT') and value in (None, True, False):
                # What psycopg2 renders client-side (IS NULL, IS true); psycopg 3 binds
                # on the server, where IS takes no parameter.
                result.append('%s %s %s' % (column, op, {None: 'NULL', True: 'TRUE',
                                                         False: 'FALSE'}[value]))
            else:
                result.append('%s %s %%(%s)s' % (column, op, key))
                values[key] = value
        return result

    def _columns(self):
        fields = self.fields or self.default_fields or ['*']
        if isinstance(fields, str):
            fields = [fields]
        names = []
        for field in fields:
            if field == '*':
                names.extend(f for f, (_, join) in self.fieldmap.items()
                             if join is None or join in self._joins)
            elif field == '**':
                names.extend(self.fieldmap)
            else:
                names.append(field)
        return dict((name, self._map(name)) for name in names)

    def _order(self):
        terms = []
        for term in (self.opts.get('order') or '').split(','):
            if not term:
                continue
            direction = ' DESC' if term.startswith('-') else ''
            terms.append(self._map(term.lstrip('-')) + direction)
        return terms

    def execute(self):
        values = {}
        order = [] if self.opts.get('countOnly') else self._order()
        where = self._where(values)
        columns = self._columns()
        sql = 'SELECT %s FROM %s' % (
            ', '.join('%s AS "%s"' % (expr, alias) for alias, expr in columns.items()),
            self.table)
        for join in self._joins:
            sql += ' ' + (self.joinmap[join] if re.search(r'\bjoin\b', self.joinmap[join], re.I)
                          else 'JOIN ' + self.joinmap[join])
        if where:
            sql += ' WHERE (%s)' % ') AND ('.join(where)
        if order:
            sql += ' ORDER BY ' + ', '.join(order)
        for opt in ('offset', 'limit'):
            if self.opts.get(opt):
                sql += ' %s %d' % (opt.upper(), int(self.opts[opt]))
        if self.opts.get('countOnly'):
            return self.ctx.value('SELECT count(*) FROM (%s) numrows' % sql, values)
        rows = self.ctx.query(sql, values)
        if self.opts.get('asList'):
            return [list(row.values()) for row in rows]
        return rows

    def execute_one(self, strict=False):
        rows = self.execute()
        if len(rows) > 1 and strict:
            raise koji.GenericError('multiple rows returned for a single row query')
        if not rows:
            if strict:
                raise koji.GenericError('query returned no rows')
            return None
        return rows[0]


class RepoQuery(QueryView):
    """repos.RepoQuery: the fields of repo.query, repoInfo and getActiveRepos."""
    table = 'repo'
    joinmap = {
        'tag': 'tag ON repo.tag_id = tag.id',
        'create_ev': 'events AS create_ev ON repo.create_event = create_ev.id',
        'begin_ev': 'LEFT JOIN events AS begin_ev ON repo.begin_event = begin_ev.id',
        'end_ev': 'LEFT JOIN events AS end_ev ON repo.end_event = end_ev.id',
        'task': 'LEFT JOIN task ON repo.task_id = task.id',
    }
    fieldmap = {
        'id': ('repo.id', None),
        'tag_id': ('repo.tag_id', None),
        'creation_time': ('repo.creation_time', None),
        'creation_ts': ("date_part('epoch', repo.creation_time)", None),
        'state_time': ('repo.state_time', None),
        'state_ts': ("date_part('epoch', repo.state_time)", None),
        'create_event': ('repo.create_event', None),
        'create_ts': ("date_part('epoch', create_ev.time)", 'create_ev'),
        'begin_event': ('repo.begin_event', None),
        'begin_ts': ("date_part('epoch', begin_ev.time)", 'begin_ev'),
        'end_event': ('repo.end_event', None),
        'end_ts': ("date_part('epoch', end_ev.time)", 'end_ev'),
        'state': ('repo.state', None),
        'dist': ('repo.dist', None),
        'opts': ('repo.opts', None),
        'custom_opts': ('repo.custom_opts', None),
        'task_id': ('repo.task_id', None),
        'task_state': ('task.state', 'task'),
        'tag_name': ('tag.name', 'tag'),
    }
    default_fields = ('id', 'tag_id', 'create_event', 'state', 'dist', 'task_id', 'opts',
                      'custom_opts')


class RepoQueueQuery(QueryView):
    """repos.RepoQueueQuery: the fields of repo.queryQueue and repo.checkRequest."""
    table = 'repo_queue'
    joinmap = {
        'tag': 'tag ON repo_queue.tag_id = tag.id',
        'task': 'LEFT JOIN task ON repo_queue.task_id = task.id',
        'users': 'users ON repo_queue.owner = users.id',
    }
    fieldmap = {
        'id': ('repo_queue.id', None),
        'create_time': ('repo_queue.create_time', None),
        'create_ts': ("date_part('epoch', repo_queue.create_time)", None),
        'owner': ('repo_queue.owner', None),
        'owner_name': ('users.name', 'users'),
        'priority': ('repo_queue.priority', None),
        'tag_id': ('repo_queue.tag_id', None),
        'tag_name': ('tag.name', 'tag'),
        'at_event': ('repo_queue.at_event', None),
        'min_event': ('repo_queue.min_event', None),
        'opts': ('repo_queue.opts', None),
        'update_time': ('repo_queue.update_time', None),
        'update_ts': ("date_part('epoch', repo_queue.update_time)", None),
        'active': ('repo_queue.active', None),
        'task_id': ('repo_queue.task_id', None),
        'task_state': ('task.state', 'task'),
        'tries': ('repo_queue.tries', None),
        'repo_id': ('repo_queue.repo_id', None),
    }
    default_fields = ('id', 'tag_id', 'at_event', 'min_event', 'create_ts', 'task_id', 'tries',
                      'repo_id', 'opts', 'active', 'update_ts')


class NotEmulated(koji.GenericError):
    """A call reached work the emulator does not do (tasks, tag history): said, never faked."""

    def __init__(self, what):
        koji.GenericError.__init__(self, 'the koji hub emulator does not %s' % what)


def lookup_id(ctx, table, info, strict=False):
    """kojihub.get_id for tables with (id, name): the id, None, or koji's strict error."""
    clause, values = name_or_id_clause(table, info)
    row_id = ctx.value('SELECT id FROM %s WHERE %s' % (table, clause), values)
    if row_id is None and strict:
        raise koji.GenericError('No such entry in table %s: %s' % (table, info))
    return row_id


def repo_set_state(ctx, repo_id, state):
    """kojihub.repo_set_state: states only move forward, except to DELETED, which is final."""
    repo_id = cast_value(repo_id, int)
    try:
        name = koji.REPO_STATES[state]
    except (IndexError, KeyError, TypeError):
        raise koji.ParameterError('Unknown repo state: %s' % state)
    old = ctx.one('SELECT state FROM repo WHERE id = %(id)s FOR UPDATE', {'id': repo_id})
    if old is None:
        raise koji.GenericError('query returned no rows')
    old = old['state']
    old_name = koji.REPO_STATES[old]
    if old > state and state != koji.REPO_DELETED:
        raise koji.GenericError('Invalid repo state transition for repo %s: %s -> %s'
                                % (repo_id, old_name, name))
    if old == state:
        return
    if old == koji.REPO_DELETED:
        raise koji.GenericError('Repo %s is deleted' % repo_id)
    if state == koji.REPO_READY:
        # koji then fulfils the repo requests the repo satisfies (repo_done_hook).
        raise NotEmulated('match repo requests to a repo made READY')
    ctx.dml('UPDATE repo SET state = %(s)s, state_time = NOW() WHERE id = %(id)s',
            {'s': state, 'id': repo_id})


# ---------------------------------------------------------------------------- exported methods

HOST_FIELDS = (
    "host.id AS id, host.user_id AS user_id, host.name AS name, "
    "date_part('epoch', host.update_time) AS update_ts, host.ready AS ready, "
    "host.task_load AS task_load, host_config.arches AS arches, "
    "host_config.capacity AS capacity, host_config.description AS description, "
    "host_config.comment AS comment, host_config.enabled AS enabled")
CHANNEL_FIELDS = ('channels.id AS id, channels.name AS name, channels.description AS description, '
                  'channels.enabled AS enabled, channels.comment AS comment')


class Exports(object):
    """The hub's RootExports (and the auth module's login calls) that the emulator implements."""

    def __init__(self, ctx):
        self._ctx = ctx

    # --- helpers (underscore names are not exported)
    @property
    def _session(self):
        return self._ctx.session

    def _verify_name_internal(self, name):
        opts = self._ctx.opts
        if not isinstance(name, str):
            raise koji.GenericError('Name should be string')
        maxlen = opts['MaxNameLengthInternal']
        if maxlen != 0 and len(name) > maxlen:
            raise koji.GenericError('Name %s is too long. Max length is %s characters'
                                    % (name, maxlen))
        if opts['RegexNameInternal'] and not re.match(opts['RegexNameInternal'], name):
            raise koji.GenericError('Name %s does not match RegexNameInternal value' % name)

    def _verify_name_user(self, name=None, krb=None):
        opts = self._ctx.opts
        if name and not isinstance(name, str):
            raise koji.GenericError('Name should be string')
        if krb and not isinstance(krb, str):
            raise koji.GenericError('Kerberos principal should be string')
        maxlen = opts['MaxNameLengthInternal']
        if maxlen != 0:
            if name and len(name) > maxlen:
                raise koji.GenericError('Name %s is too long. Max length is %s characters'
                                        % (name, maxlen))
            if krb and len(krb) > maxlen:
                raise koji.GenericError('Kerberos principal %s is too long. Max length is '
                                        '%s characters' % (krb, maxlen))
        regex = opts['RegexUserName']
        if regex:
            if name is not None and not re.match(regex, name):
                raise koji.GenericError('Name %s does not match RegexUserName value' % name)
            if krb is not None and not re.match(regex, krb):
                raise koji.GenericError('Kerberos principal %s does not match RegexUserName '
                                        'value' % krb)

    def _krb_principals(self, user_id):
        return [r['krb_principal'] for r in self._ctx.query(
            'SELECT krb_principal FROM user_krb_principals WHERE user_id = %(u)s '
            'ORDER BY krb_principal', {'u': user_id})]

    def _lookup_name(self, table, info, strict=False, create=False):
        clause, values = name_or_id_clause(table, info)
        row = self._ctx.one('SELECT id, name FROM %s WHERE %s' % (table, clause), values)
        if row is not None:
            return row
        if strict:
            raise koji.GenericError('No such entry in table %s: %s' % (table, info))
        if create:
            if not isinstance(info, str):
                raise koji.GenericError('Name must be a string')
            new_id = self._ctx.value('INSERT INTO %s (name) VALUES (%%(n)s) RETURNING id' % table,
                                     {'n': info})
            self._ctx.commit_pending = True
            return {'id': new_id, 'name': info}
        return None

    def _get_channel_id(self, info, strict=False, create=False):
        row = self._lookup_name('channels', info, strict, create)
        return None if row is None else row['id']

    def _set_user_status(self, user, status):
        self._session.assert_perm('admin')
        if not koji.USER_STATUS.get(status):
            raise koji.GenericError('No such status: %s' % status)
        if user['status'] == status:
            return
        rows = self._ctx.dml('UPDATE users SET status = %(s)s WHERE id = %(u)s',
                             {'s': status, 'u': user['id']})
        if rows == 0:
            raise koji.GenericError('No such user ID: %i' % user['id'])

    def _replace_host_config(self, host, **changes):
        data = dict((k, host[k]) for k in ('arches', 'capacity', 'description', 'comment',
                                           'enabled'))
        data.update(changes)
        data['host_id'] = host['id']
        self._ctx.revoke_versioned('host_config', 'host_id = %(h)s', {'h': host['id']})
        self._ctx.create_versioned('host_config', data)

    def _set_host_enabled(self, hostname, enabled):
        self._session.assert_perm('host')
        host = self.getHost(hostname)
        if not host:
            raise koji.GenericError('host does not exist: %s' % hostname)
        self._replace_host_config(host, enabled=enabled)

    def _set_channel_enabled(self, channelname, enabled, comment=None):
        self._session.assert_perm('host')
        convert_value(comment, str, none_allowed=True)
        channel = self.getChannel(channelname)
        if not channel:
            raise koji.GenericError('No such channel: %s' % channelname)
        sets = 'enabled = %(e)s' + (', comment = %(c)s' if comment is not None else '')
        self._ctx.dml('UPDATE channels SET %s WHERE id = %%(id)s' % sets,
                      {'e': enabled, 'c': comment, 'id': channel['id']})

    # --- misc
    def hello(self, *args):
        return 'Hello World'

    def echo(self, *args):
        return args

    def getKojiVersion(self):
        return self._ctx.opts['KojiVersion']

    def getAPIVersion(self):
        return koji.API_VERSION

    # --- login and sessions (kojihub/auth.py)
    def login(self, user, password, opts=None, renew=False, exclusive=False):
        return self._session.login(user, password, opts=opts, renew=renew, exclusive=exclusive)

    def sslLogin(self, proxyuser=None, proxyauthtype=None, renew=False, exclusive=None):
        return self._session.ssl_login(proxyuser=proxyuser, proxyauthtype=proxyauthtype,
                                       renew=renew, exclusive=exclusive)

    def logout(self, session_id=None):
        return self._session.logout(session_id)

    def subsession(self):
        return self._session.subsession()

    def logoutChild(self, session_id):
        return self._session.logout_child(session_id)

    def exclusiveSession(self, force=False):
        return self._session.make_exclusive(force=force)

    def sharedSession(self):
        return self._session.make_shared()

    # --- users
    def getUser(self, userInfo=None, strict=False, krb_princs=True, groups=False):
        ctx = self._ctx
        if userInfo is None:
            userInfo = self._session.user_id
            if userInfo is None:
                raise koji.GenericError('No user provided')
        clauses = []
        join = False
        if isinstance(userInfo, dict):
            data = userInfo
        elif isinstance(userInfo, int):
            data = {'id': userInfo}
        elif isinstance(userInfo, str):
            data = {'info': userInfo}
            clauses.append('(krb_principal = %(info)s OR name = %(info)s)')
            join = True
        else:
            raise koji.GenericError('Invalid type for userInfo: %s' % type(userInfo))
        if not data.get('info'):
            uid = data.get('id')
            if uid is not None:
                if not isinstance(uid, int):
                    raise koji.GenericError('Invalid type for userid: %s' % type(uid))
                clauses.append('users.id = %(id)s')
            name = data.get('name')
            if name:
                if not isinstance(name, str):
                    raise koji.GenericError('Invalid type for username: %s' % type(name))
                clauses.append('users.name = %(name)s')
            krb = data.get('krb_principal')
            if krb:
                if not isinstance(krb, str):
                    raise koji.GenericError('Invalid type for krb_principal: %s' % type(krb))
                clauses.append('user_krb_principals.krb_principal = %(krb_principal)s')
                join = True
        sql = 'SELECT users.id AS id, name, status, usertype FROM users'
        if join:
            sql += ' LEFT JOIN user_krb_principals ON users.id = user_krb_principals.user_id'
        if clauses:
            sql += ' WHERE ' + ' AND '.join(clauses)
        user = ctx.one(sql + ' ORDER BY users.id', data)
        if not user and strict:
            raise koji.GenericError('No such user: %r' % (userInfo,))
        if user:
            if krb_princs:
                user['krb_principals'] = self._krb_principals(user['id'])
            if groups:
                user['groups'] = list(get_user_groups(ctx, user['id']).values())
        return user

    def getUserGroups(self, user):
        uinfo = self.getUser(user, strict=True)
        return [{'id': k, 'name': v} for k, v in get_user_groups(self._ctx, uinfo['id']).items()]

    def createUser(self, username, status=None, krb_principal=None):
        self._session.assert_perm('admin')
        self._verify_name_user(username, krb_principal)
        if self.getUser(username):
            raise koji.GenericError('user already exists: %s' % username)
        if krb_principal and self.getUser({'krb_principal': krb_principal}):
            raise koji.GenericError('user with this Kerberos principal already exists: %s'
                                    % krb_principal)
        return self._session.create_user(username, status=status, krb_principal=krb_principal)

    def editUser(self, userInfo, name=None, krb_principal_mappings=None):
        self._session.assert_perm('admin')
        ctx = self._ctx
        user = self.getUser(userInfo, strict=True)
        if name and user['name'] != name:
            self._verify_name_user(name=name)
            taken = ctx.value('SELECT id FROM users WHERE name = %(n)s', {'n': name})
            if taken is not None:
                raise koji.GenericError('Name %s already taken by user %s' % (name, taken))
            ctx.dml('UPDATE users SET name = %(n)s WHERE id = %(u)s', {'n': name, 'u': user['id']})
        if krb_principal_mappings:
            added, removed = set(), set()
            for pair in krb_principal_mappings:
                if pair.get('old'):
                    removed.add(pair['old'])
                if pair.get('new'):
                    self._verify_name_user(krb=pair['new'])
                    added.add(pair['new'])
            dups = added & removed
            if dups:
                raise koji.GenericError('There are some conflicts between added and removed '
                                        'Kerberos principals: %s' % ', '.join(dups))
            currents = set(user.get('krb_principals'))
            dups = added & currents
            if dups:
                raise koji.GenericError('Cannot add existing Kerberos principals: %s'
                                        % ', '.join(dups))
            missing = removed - currents
            if missing:
                raise koji.GenericError('Cannot remove non-existent Kerberos principals: %s'
                                        % ', '.join(missing))
            for krb in removed:
                ctx.dml('DELETE FROM user_krb_principals WHERE user_id = %(u)s AND '
                        'krb_principal = %(k)s', {'u': user['id'], 'k': krb})
            for krb in added:
                ctx.dml('INSERT INTO user_krb_principals (user_id, krb_principal) '
                        'VALUES (%(u)s, %(k)s)', {'u': user['id'], 'k': krb})

    def enableUser(self, username):
        user = self.getUser(username)
        if not user:
            raise koji.GenericError('No such user: %s' % username)
        self._set_user_status(user, koji.USER_STATUS['NORMAL'])

    def disableUser(self, username):
        user = self.getUser(username)
        if not user:
            raise koji.GenericError('No such user: %s' % username)
        self._set_user_status(user, koji.USER_STATUS['BLOCKED'])

    def listUsers(self, userType=koji.USERTYPES['NORMAL'], prefix=None, queryOpts=None, perm=None,
                  inherited_perm=False):
        ctx = self._ctx
        if inherited_perm and not perm:
            raise koji.GenericError('inherited_perm option must be used with perm option')
        clauses, values = [], {}
        if userType is not None:
            if isinstance(userType, int):
                userType = [userType]
            elif not isinstance(userType, (list, tuple)):
                raise koji.ParameterError('userType must be integer, list, tuple or None')
            clauses.append('usertype = ANY(%(types)s)')
            values['types'] = list(userType)
        if perm:
            values['perm_id'] = self._lookup_name('permissions', perm, strict=True)['id']
            if inherited_perm:
                clauses.append('(users.id IN (SELECT user_id FROM user_perms WHERE active AND '
                               'perm_id = %(perm_id)s) OR users.id IN (SELECT g.user_id FROM '
                               'user_groups g JOIN user_perms p ON p.user_id = g.group_id '
                               'WHERE g.active AND p.active AND p.perm_id = %(perm_id)s))')
            else:
                clauses.append('users.id IN (SELECT user_id FROM user_perms WHERE active AND '
                               'perm_id = %(perm_id)s)')
        if prefix:
            clauses.append("users.name ILIKE %(prefix)s || '%%'")
            values['prefix'] = prefix
        if queryOpts and queryOpts.get('group'):
            raise koji.GenericError('queryOpts.group is not available for this API')
        sql = ('SELECT users.id AS id, users.name AS name, status, usertype, '
               'array_remove(array_agg(krb_principal), NULL) AS krb_principals FROM users '
               'LEFT JOIN user_krb_principals ON users.id = user_krb_principals.user_id')
        if clauses:
            sql += ' WHERE ' + ' AND '.join(clauses)
        rows = ctx.query(sql + ' GROUP BY users.id ORDER BY users.id', values)
        return apply_query_opts(rows, queryOpts)

    # --- permissions
    def getPerms(self):
        return self._session.get_perms()

    def hasPerm(self, perm, strict=False):
        if strict and not self._lookup_name('permissions', perm):
            raise koji.GenericError('No such permission %s defined' % perm)
        return self._session.has_perm(perm)

    def getUserPerms(self, userID=None, with_groups=True):
        user = self.getUser(userID, strict=True)
        return get_user_perms(self._ctx, user['id'], with_groups=with_groups)

    def getUserPermsInheritance(self, userID):
        user = self.getUser(userID, strict=True)
        return get_user_perms(self._ctx, user['id'], inheritance_data=True)

    def getAllPerms(self):
        return self._ctx.query('SELECT id, name, description FROM permissions ORDER BY id')

    def grantPermission(self, userinfo, permission, create=False, description=None):
        self._session.assert_perm('admin')
        if create:
            self._verify_name_internal(permission)
        if description is not None and not create:
            raise koji.GenericError('Description should be specified only with create.')
        convert_value(description, str, none_allowed=True)
        user_id = self.getUser(userinfo, strict=True)['id']
        perm = self._lookup_name('permissions', permission, strict=not create, create=create)
        if create and description is not None:
            self._ctx.dml('UPDATE permissions SET description = %(d)s WHERE id = %(id)s',
                          {'d': description, 'id': perm['id']})
        if perm['name'] in get_user_perms(self._ctx, user_id, with_groups=False):
            raise koji.GenericError('user %s already has permission: %s'
                                    % (userinfo, perm['name']))
        self._ctx.create_versioned('user_perms', {'user_id': user_id, 'perm_id': perm['id']})

    def revokePermission(self, userinfo, permission):
        self._session.assert_perm('admin')
        user_id = self.getUser(userinfo, strict=True)['id']
        perm = self._lookup_name('permissions', permission, strict=True)
        if perm['name'] not in get_user_perms(self._ctx, user_id, with_groups=False):
            raise koji.GenericError('user %s does not have permission: %s'
                                    % (userinfo, perm['name']))
        self._ctx.revoke_versioned('user_perms', 'user_id = %(u)s AND perm_id = %(p)s',
                                   {'u': user_id, 'p': perm['id']})

    def editPermission(self, permission, description):
        self._session.assert_perm('admin')
        convert_value(description, str)
        perm = self._lookup_name('permissions', permission, strict=True)
        self._ctx.dml('UPDATE permissions SET description = %(d)s WHERE id = %(id)s',
                      {'d': description, 'id': perm['id']})

    def getLoggedInUser(self):
        if not self._session.logged_in:
            return None
        me = self.getUser(self._session.user_id)
        me['authtype'] = self._session.authtype
        principals = me.get('krb_principals')
        me['krb_principal'] = principals[0] if principals else None
        return me

    # --- hosts
    def getHost(self, hostInfo, strict=False, event=None):
        clause, values = name_or_id_clause('host', hostInfo)
        row = self._ctx.one('SELECT %s FROM host_config JOIN host ON host.id = host_config.host_id '
                            'WHERE %s AND %s' % (HOST_FIELDS, event_condition(event, 'host_config'),
                                                 clause), values)
        if not row and strict:
            raise koji.GenericError('Invalid hostInfo: %s' % hostInfo)
        return row

    def addHost(self, hostname, arches, krb_principal=None, force=False):
        session, ctx = self._session, self._ctx
        session.assert_perm('host')
        self._verify_name_internal(hostname)
        self._verify_name_user(hostname)
        arches = koji.parse_arches(' '.join(arches), strict=True)
        if self.getHost(hostname):
            raise koji.GenericError('host already exists: %s' % hostname)
        default_channel = ctx.value("SELECT id FROM channels WHERE name = 'default'")
        if default_channel is None:
            raise koji.GenericError('query returned no rows')
        userinfo = {'name': hostname}
        if krb_principal:
            convert_value(krb_principal, str)
            userinfo['krb_principal'] = krb_principal
        user = self.getUser(userinfo)
        if user:
            if user['usertype'] != koji.USERTYPES['HOST']:
                if force and user['usertype'] == koji.USERTYPES['NORMAL']:
                    ctx.dml('UPDATE users SET usertype = %(t)s WHERE id = %(u)s',
                            {'t': koji.USERTYPES['HOST'], 'u': user['id']})
                else:
                    raise koji.GenericError('user %s already exists and it is not a host'
                                            % hostname)
            user_id = user['id']
        else:
            if krb_principal is None and ctx.opts['HostPrincipalFormat']:
                krb_principal = ctx.opts['HostPrincipalFormat'] % hostname
            user_id = session.create_user(hostname, usertype=koji.USERTYPES['HOST'],
                                          krb_principal=krb_principal)
        host_id = ctx.value('INSERT INTO host (user_id, name) VALUES (%(u)s, %(n)s) RETURNING id',
                            {'u': user_id, 'n': hostname})
        ctx.create_versioned('host_config', {'host_id': host_id, 'arches': arches})
        ctx.create_versioned('host_channels', {'host_id': host_id, 'channel_id': default_channel})
        return host_id

    def editHost(self, hostInfo, **kw):
        self._session.assert_perm('host')
        host = self.getHost(hostInfo, strict=True)
        changes = [f for f in ('arches', 'capacity', 'description', 'comment')
                   if f in kw and kw[f] != host[f]]
        if not changes:
            return False
        for change in changes:
            if change in ('description', 'comment', 'arches'):
                convert_value(kw[change], str)
        self._replace_host_config(host, **dict((c, kw[c]) for c in changes))
        return True

    def enableHost(self, hostname):
        self._set_host_enabled(hostname, True)

    def disableHost(self, hostname):
        self._set_host_enabled(hostname, False)

    def listHosts(self, arches=None, channelID=None, ready=None, enabled=None, userID=None,
                  queryOpts=None):
        clauses, values = ['host_config.active IS TRUE'], {}
        joins = ''
        if arches is not None:
            if not arches:
                raise koji.GenericError('arches option cannot be empty')
            if not isinstance(arches, (list, tuple)):
                arches = [arches]
            clauses.append('arches ~ %(pattern)s')
            values['pattern'] = r'\m(%s)\M' % '|'.join(arches)
        if channelID is not None:
            values['channel'] = self._get_channel_id(channelID, strict=True)
            joins = ' JOIN host_channels ON host.id = host_channels.host_id'
            clauses.append('host_channels.channel_id = %(channel)s')
            clauses.append('host_channels.active IS TRUE')
        if ready is not None:
            clauses.append('ready IS TRUE' if ready else 'ready IS FALSE')
        if enabled is not None:
            clauses.append('enabled IS TRUE' if enabled else 'enabled IS FALSE')
        if userID is not None:
            values['user'] = self.getUser(userID, strict=True)['id']
            clauses.append('host.user_id = %(user)s')
        rows = self._ctx.query(
            'SELECT %s FROM host_config JOIN host ON host.id = host_config.host_id%s WHERE %s '
            'ORDER BY host.id' % (HOST_FIELDS, joins, ' AND '.join(clauses)), values)
        return apply_query_opts(rows, queryOpts)

    def getLastHostUpdate(self, hostID, ts=False):
        date = self._ctx.value('SELECT sessions.update_time FROM sessions JOIN host ON '
                               'sessions.user_id = host.user_id WHERE host.id = %(h)s '
                               'ORDER BY sessions.update_time DESC LIMIT 1', {'h': hostID})
        if ts and date is not None:
            return date.timestamp()
        return date

    def getAllArches(self):
        ret = {}
        for row in self._ctx.query('SELECT arches FROM host_config WHERE active IS TRUE'):
            for arch in (row['arches'] or '').split():
                ret[koji.canonArch(arch)] = 1
        return list(ret.keys())

    # --- channels
    def getChannel(self, channelInfo, strict=False):
        clause, values = name_or_id_clause('channels', channelInfo)
        row = self._ctx.one('SELECT %s FROM channels WHERE %s' % (CHANNEL_FIELDS, clause), values)
        if row is None and strict:
            raise koji.GenericError('query returned no rows')
        return row

    def listChannels(self, hostID=None, event=None, enabled=None):
        clauses, values = [], {}
        if enabled is not None:
            clauses.append('enabled IS TRUE' if enabled else 'enabled IS FALSE')
        if hostID:
            if isinstance(hostID, str):
                hostID = self.getHost(hostID, strict=True)['id']
            clauses[:0] = [event_condition(event, 'host_channels'),
                           'host_channels.host_id = %(host)s']
            values['host'] = hostID
            sql = ('SELECT %s FROM host_channels JOIN channels ON channels.id = '
                   'host_channels.channel_id' % CHANNEL_FIELDS)
        elif event:
            raise koji.GenericError('list_channels with event and not host is not allowed.')
        else:
            sql = 'SELECT %s FROM channels' % CHANNEL_FIELDS
        if clauses:
            sql += ' WHERE ' + ' AND '.join(clauses)
        return self._ctx.query(sql + ' ORDER BY channels.id', values)

    def addChannel(self, channel_name, description=None):
        self._session.assert_perm('admin')
        self._verify_name_internal(channel_name)
        convert_value(description, str, none_allowed=True,
                      message='Channel description must be a string')
        dup = self.getChannel(channel_name)
        if dup:
            raise koji.GenericError('channel %(name)s already exists (id=%(id)i)' % dup)
        ctx = self._ctx
        ctx.commit_pending = True
        return ctx.value('INSERT INTO channels (name, description) VALUES (%(n)s, %(d)s) '
                         'RETURNING id', {'n': channel_name, 'd': description})

    def editChannel(self, channelInfo, **kw):
        self._session.assert_perm('admin')
        channel = self.getChannel(channelInfo, strict=True)
        changes = [f for f in ('description', 'comment', 'name')
                   if f in kw and kw[f] != channel[f]]
        if not changes:
            return False
        if kw.get('name'):
            self._verify_name_internal(kw['name'])
            dup = self.getChannel(kw['name'])
            if dup:
                raise koji.GenericError('channel %(name)s already exists (id=%(id)i)' % dup)
        for field in ('description', 'comment'):
            if field in kw:
                convert_value(kw[field], str)
        sets = ', '.join('%s = %%(%s)s' % (c, c) for c in changes)
        values = dict((c, kw[c]) for c in changes)
        values['_id'] = channel['id']
        self._ctx.dml('UPDATE channels SET %s WHERE id = %%(_id)s' % sets, values)
        return True

    def enableChannel(self, channelname, comment=None):
        self._set_channel_enabled(channelname, True, comment=comment)

    def disableChannel(self, channelname, comment=None):
        self._set_channel_enabled(channelname, False, comment=comment)

    def addHostToChannel(self, hostname, channel_name, create=False, force=False):
        self._session.assert_perm('host')
        host = self.getHost(hostname)
        if host is None:
            raise koji.GenericError('host does not exist: %s' % hostname)
        if create:
            self._verify_name_internal(channel_name)
        channel_id = self._get_channel_id(channel_name, create=create)
        if channel_id is None:
            raise koji.GenericError('channel does not exist: %s' % channel_name)
        if not force and not self.getChannel(channel_id)['enabled']:
            raise koji.GenericError('channel %s is disabled' % channel_name)
        for channel in self.listChannels(host['id']):
            if channel['id'] == channel_id:
                raise koji.GenericError('host %s is already subscribed to the %s channel'
                                        % (hostname, channel_name))
        self._ctx.create_versioned('host_channels', {'host_id': host['id'],
                                                     'channel_id': channel_id})

    def removeHostFromChannel(self, hostname, channel_name):
        self._session.assert_perm('host')
        host = self.getHost(hostname)
        if host is None:
            raise koji.GenericError('host does not exist: %s' % hostname)
        channel_id = self._get_channel_id(channel_name)
        if channel_id is None:
            raise koji.GenericError('channel does not exist: %s' % channel_name)
        if not any(c['id'] == channel_id for c in self.listChannels(host['id'])):
            raise koji.GenericError('host %s is not subscribed to the %s channel'
                                    % (hostname, channel_name))
        self._ctx.revoke_versioned('host_channels', 'host_id = %(h)s AND channel_id = %(c)s',
                                   {'h': host['id'], 'c': channel_id})

    # --- repos (kojira's calls outside the repo.* namespace)
    def getActiveRepos(self):
        return RepoQuery(self._ctx, [['state', '!=', koji.REPO_DELETED]], (
            'id', 'tag_id', 'create_event', 'create_ts', 'state', 'dist', 'task_id', 'tag_name',
            'creation_ts', 'state_ts', 'end_event', 'opts')).execute()

    def repoInfo(self, repo_id, strict=False):
        repo_id = cast_value(repo_id, int, none_allowed=True)
        return RepoQuery(self._ctx, [['id', '=', repo_id]], '**').execute_one(strict=strict)

    def getRepo(self, tag, state=None, event=None, dist=False, min_event=None):
        clauses = [['tag_id', '=', lookup_id(self._ctx, 'tag', tag, strict=True)],
                   ['dist', 'IS', bool(dist)]]
        if event:
            clauses.append(['create_event', '<=', cast_value(event, int)])
        else:
            clauses.append(['state', '=', koji.REPO_READY if state is None
                            else cast_value(state, int)])
        if min_event is not None:
            clauses.append(['create_event', '>=', cast_value(min_event, int)])
        return RepoQuery(self._ctx, clauses, '**',
                         {'order': '-creation_time', 'limit': 1}).execute_one()

    def repoExpire(self, repo_id):
        self._session.assert_perm('repo')
        repo_set_state(self._ctx, repo_id, koji.REPO_EXPIRED)

    def repoProblem(self, repo_id):
        self._session.assert_perm('repo')
        repo_set_state(self._ctx, repo_id, koji.REPO_PROBLEM)

    def repoDelete(self, repo_id):
        self._session.assert_perm('repo')
        # No buildroots are emulated, so nothing references a repo.
        repo_set_state(self._ctx, repo_id, koji.REPO_DELETED)
        return 0

    def listVolumes(self):
        return self._ctx.query('SELECT id, name FROM volume ORDER BY id')

    def getTagExternalRepos(self, tag_info=None, repo_info=None, event=None):
        clauses = [event_condition(event, 'tag_external_repos'),
                   event_condition(event, 'external_repo_config')]
        values = {}
        if tag_info:
            values['tag_id'] = lookup_id(self._ctx, 'tag', tag_info, strict=True)
            clauses.append('tag.id = %(tag_id)s')
        if repo_info:
            values['repo_id'] = lookup_id(self._ctx, 'external_repo', repo_info)
            if values['repo_id'] is None:
                raise koji.GenericError('No such repo: %s' % repo_info)
            clauses.append('external_repo.id = %(repo_id)s')
        return self._ctx.query(
            'SELECT external_repo.id AS external_repo_id, external_repo.name AS '
            'external_repo_name, priority, tag.id AS tag_id, tag.name AS tag_name, url, '
            'merge_mode, arches FROM tag_external_repos '
            'JOIN tag ON tag_external_repos.tag_id = tag.id '
            'JOIN external_repo ON tag_external_repos.external_repo_id = external_repo.id '
            'JOIN external_repo_config ON external_repo.id = '
            'external_repo_config.external_repo_id WHERE %s ORDER BY priority'
            % ' AND '.join(clauses), values)

    # --- the emulated hub has no packages, tasks, builds or buildroots; `koji userinfo` and
    # `koji repoinfo` count them.
    def listPackages(self, tagID=None, userID=None, pkgID=None, prefix=None, inherited=False,
                     with_dups=False, event=None, queryOpts=None, with_owners=True,
                     with_blocked=True):
        if userID is not None:
            self.getUser(userID, strict=True)
        return apply_query_opts([], queryOpts)

    def listBuildroots(self, hostID=None, tagID=None, state=None, rpmID=None, archiveID=None,
                       taskID=None, buildrootID=None, repoID=None, queryOpts=None):
        return apply_query_opts([], queryOpts)

    def listTasks(self, opts=None, queryOpts=None):
        return apply_query_opts([], queryOpts)

    def listBuilds(self, packageID=None, userID=None, taskID=None, prefix=None, state=None,
                   volumeID=None, source=None, createdBefore=None, createdAfter=None,
                   completeBefore=None, completeAfter=None, type=None, typeInfo=None,
                   queryOpts=None, pattern=None, cgID=None, draft=None,
                   promotedBefore=None, promotedAfter=None, promoter=None):
        if userID is not None:
            self.getUser(userID, strict=True)
        return apply_query_opts([], queryOpts)


class RepoExports(object):
    """repos.RepoExports, registered as repo.*: what kojira calls each loop (query, checkQueue,
    autoRequests, updateEndEvents) and the request calls. The emulator makes no tasks and keeps
    no tag history, so those loops find nothing to do on a hub without tags; where rows exist
    that would need either, the call says so (NotEmulated) instead of pretending."""

    def __init__(self, ctx):
        self._ctx = ctx

    @property
    def _session(self):
        return self._ctx.session

    def query(self, clauses, fields=None, opts=None):
        return RepoQuery(self._ctx, clauses, fields, opts).execute()

    def queryQueue(self, clauses=None, fields=None, opts=None):
        return RepoQueueQuery(self._ctx, clauses, fields, opts).execute()

    def references(self, repo_id):
        """Return a list of buildroots that reference the repo"""
        return []

    def setState(self, repo_id, state):
        """Set repo state"""
        self._session.assert_perm('repo')
        repo_set_state(self._ctx, repo_id, state)

    def checkQueue(self):
        """[kojira] trigger automatic repo requests"""
        self._session.assert_perm('repo')
        waiting = RepoQueueQuery(self._ctx, [['repo_id', 'IS', None], ['active', 'IS', True]],
                                 ['id']).execute()
        if waiting:
            raise NotEmulated('make newRepo tasks (%d waiting repo requests)' % len(waiting))

    def autoRequests(self):
        """[kojira] trigger automatic repo requests"""
        self._session.assert_perm('repo')
        rows = self._ctx.query("SELECT tag_id, value FROM tag_extra WHERE key = 'repo.auto' "
                               "AND active IS TRUE AND value IS NOT NULL")
        auto = [r for r in rows if _json_true(r['value'])]
        if auto:
            raise NotEmulated('request repos for tags (%d tags with repo.auto)' % len(auto))

    def updateEndEvents(self):
        """[kojira] update end events for repos"""
        self._session.assert_perm('repo')
        open_repos = RepoQuery(self._ctx, [['end_event', 'IS', None],
                                           ['state', '=', koji.REPO_READY]], ['id']).execute()
        if open_repos:
            raise NotEmulated('keep tag history (%d READY repos without end event)'
                              % len(open_repos))

    def getExternalRepoData(self, erepo):
        erepo_id = lookup_id(self._ctx, 'external_repo', erepo, strict=True)
        return self._ctx.value('SELECT data FROM external_repo_data WHERE external_repo_id = '
                               '%(id)s AND active IS TRUE', {'id': erepo_id})

    def setExternalRepoData(self, external_repo_id, data):
        """Update tracking data for an external repo"""
        self._session.assert_perm('repo')
        erepo_id = lookup_id(self._ctx, 'external_repo', external_repo_id, strict=True)
        data = cast_value(data, dict)
        self._ctx.revoke_versioned('external_repo_data', 'external_repo_id = %(e)s',
                                   {'e': erepo_id})
        self._ctx.create_versioned('external_repo_data',
                                   {'external_repo_id': erepo_id, 'data': json.dumps(data)})

    def checkRequest(self, req_id):
        req_id = cast_value(req_id, int)
        req = RepoQueueQuery(self._ctx, [['id', '=', req_id]], '**').execute_one()
        if not req:
            raise koji.GenericError('No such request')
        ret = {'repo': None, 'request': req}
        if req['repo_id']:
            ret['repo'] = RepoQuery(self._ctx, [['id', '=', req['repo_id']]], '**').execute_one()
        elif req['task_id']:
            raise NotEmulated('keep tasks (request %s has task %s)' % (req_id, req['task_id']))
        return ret

    def setRequestPriority(self, req_id, priority):
        self._session.assert_perm('admin')
        self._ctx.dml('UPDATE repo_queue SET priority = %(p)s WHERE id = %(id)s',
                      {'p': cast_value(priority, int), 'id': cast_value(req_id, int)})

    def request(self, tag, min_event=None, at_event=None, opts=None, priority=None, force=False):
        self._session.assert_login()
        lookup_id(self._ctx, 'tag', tag, strict=True)
        raise NotEmulated('request repos (tags have no history here)')

    def get(self, tag, min_event=None, at_event=None, opts=None):
        lookup_id(self._ctx, 'tag', tag, strict=True)
        raise NotEmulated('choose repos by tag event and options')


def _json_true(text):
    try:
        return bool(json.loads(text))
    except ValueError:
        return False


EXPORTED = sorted(name for name, f in inspect.getmembers(Exports, inspect.isfunction)
                  if not name.startswith('_'))
REPO_EXPORTED = sorted('repo.' + name for name, f in inspect.getmembers(
    RepoExports, inspect.isfunction) if not name.startswith('_'))
INTROSPECTION = ['system.listMethods', 'system.methodHelp', 'system.methodSignature']


# ---------------------------------------------------------------------------- dispatch

class Dispatcher(object):
    """kojixmlrpc.ModXMLRPCRequestHandler for one request."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.exports = Exports(ctx)
        self.repo_exports = RepoExports(ctx)
        self.traceback = False

    def get_handler(self, name):
        if name in ('multiCall', 'system.multicall'):
            return self.multiCall
        if name == 'system.listMethods':
            return self.system_listMethods
        if name == 'system.methodHelp':
            return self.system_methodHelp
        if name == 'system.methodSignature':
            return self.system_methodSignature
        if name in EXPORTED:
            return getattr(self.exports, name)
        if name in REPO_EXPORTED:
            return getattr(self.repo_exports, name[len('repo.'):])
        raise koji.GenericError('Invalid method: %s' % name)

    def system_listMethods(self):
        return EXPORTED + REPO_EXPORTED + INTROSPECTION

    def system_methodSignature(self, method):
        return 'signatures not supported'

    def system_methodHelp(self, method):
        if method not in EXPORTED + REPO_EXPORTED:
            return ''
        func = self.get_handler(method)
        ret = '%s(%s)' % (method, ', '.join(str(p) for p in
                                            inspect.signature(func).parameters.values()))
        if func.__doc__:
            ret += '\ndescription: %s' % func.__doc__
        return ret

    def check_session(self):
        ctx = self.ctx
        if ctx.session is None:
            ctx.session = Session(ctx)
            try:
                ctx.session.validate()
            except koji.AuthLockError:
                if ctx.method not in ('exclusiveSession', 'login', 'logout'):
                    raise

    def dispatch(self, method, params):
        ctx = self.ctx
        func = self.get_handler(method)
        ctx.method = method
        self.check_session()
        if ctx.opts['LockOut'] and method not in ('login', 'sslLogin', 'logout') \
                and not ctx.session.has_perm('admin'):
            raise koji.ServerOffline('Server disabled for maintenance')
        args, kwargs = koji.decode_args(*params)
        return koji.util.call_with_argcheck(func, args, kwargs)

    def multiCall(self, calls):
        ctx = self.ctx
        results = []
        for n, call in enumerate(calls):
            savepoint = 'multiCall_loop_%d' % n
            ctx.cnx.execute('SAVEPOINT %s' % savepoint)
            try:
                result = self.dispatch(call['methodName'], call['params'])
            except Fault as fault:
                ctx.cnx.execute('ROLLBACK TO SAVEPOINT %s' % savepoint)
                results.append({'faultCode': fault.faultCode, 'faultString': fault.faultString})
            except Exception:
                ctx.cnx.execute('ROLLBACK TO SAVEPOINT %s' % savepoint)
                exc_type, exc_value = sys.exc_info()[:2]
                results.append({
                    'faultCode': getattr(exc_type, 'faultCode', 1),
                    'faultString': ', '.join(str(a) for a in exc_value.args),
                    'traceback': traceback.format_exception(*sys.exc_info()),
                })
                log('  multicall %s: %s: %s' % (call.get('methodName'), exc_type.__name__,
                                                exc_value))
            else:
                results.append([result])
            ctx.event_id = None
        return results

    def handle(self, body):
        """The XML-RPC response body for a request body (BadRequest for unreadable ones)."""
        if not body:
            raise BadRequest('Empty request')
        try:
            if len(body) > self.ctx.opts['MaxRequestLength']:
                raise koji.GenericError('Request too long')
            parser, unmarshaller = getparser()
            parser.feed(body)
            parser.close()
            params, method = unmarshaller.close(), unmarshaller.getmethodname()
        except Exception as e:
            raise BadRequest('Invalid request: %s' % e)
        try:
            response = self.dispatch(method, params)
            return method, dumps((response,), methodresponse=1, marshaller=Marshaller), None
        except Fault as fault:
            self.traceback = True
            return method, dumps(fault, marshaller=Marshaller), fault.faultString
        except Exception:
            self.traceback = True
            exc_type, exc_value = sys.exc_info()[:2]
            code = getattr(exc_type, 'faultCode', 1)
            if isinstance(exc_value, koji.GenericError):
                text = str(exc_value)
            else:
                text = '%s: %s' % (exc_type, exc_value)
                log(traceback.format_exc())
            return method, dumps(Fault(code, text), marshaller=Marshaller), text


# ---------------------------------------------------------------------------- HTTPS server

class HubHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'koji-hub-emulator'
    sys_version = ''
    timeout = 60

    def setup(self):
        super().setup()
        # The TLS handshake runs here, in the request's thread, not in the accept loop.
        self.connection.do_handshake()

    def log_message(self, format, *args):
        pass

    def _reply(self, status, body, content_type, extra_headers=()):
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Koji-Version', self.server.opts['KojiVersion'])
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _route(self):
        path = urllib.parse.urlsplit(self.path).path
        if path in ('/kojihub', '/kojihub/'):
            return 'hub'
        if path == '/kojihub/ssllogin':
            return 'ssllogin'
        return None

    def _not_post(self):
        if self._route() is None:
            self._reply(404, 'Not Found\n', 'text/plain')
            return
        self._reply(405, 'Method Not Allowed\nThis is an XML-RPC server. Only POST requests are '
                    'accepted.\n', 'text/plain', [('Allow', 'POST')])

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = _not_post

    def _environ(self, route):
        query = urllib.parse.urlsplit(self.path).query
        environ = {'REMOTE_ADDR': self.client_address[0], 'QUERY_STRING': query,
                   'REQUEST_METHOD': 'POST'}
        for header, value in self.headers.items():
            environ['HTTP_' + header.upper().replace('-', '_')] = value
        # As httpd with `SSLOptions +StdEnvVars` on <Location /kojihub/ssllogin> only (the
        # vhost has `SSLVerifyClient optional`): the client-certificate variables exist there.
        if route == 'ssllogin':
            cert = self.connection.getpeercert()
            if cert:
                environ['SSL_CLIENT_VERIFY'] = 'SUCCESS'
                rdns = []
                for rdn in cert.get('subject', ()):
                    for name, value in rdn:
                        short = DN_NAMES.get(name, name)
                        environ.setdefault('SSL_CLIENT_S_DN_%s' % short, value)
                        rdns.append('%s=%s' % (short, value))
                environ['SSL_CLIENT_S_DN'] = ','.join(reversed(rdns))
            else:
                environ['SSL_CLIENT_VERIFY'] = 'NONE'
        return environ

    def do_POST(self):
        route = self._route()
        if route is None:
            self._reply(404, 'Not Found\n', 'text/plain')
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        status, text, content_type = respond(self.server.opts, self.server.dsn, route,
                                             self._environ(route), body, self.server.lose_answer)
        if status is None:
            # LoseAnswerOf: the call is done and committed; its answer never leaves.
            self.close_connection = True
            return
        self._reply(status, text, content_type)


def respond(opts, dsn, route, environ, body, lose_answer=None):
    """(HTTP status, body, content type) of one XML-RPC POST; the built-in server and the WSGI
    application share it. (None, None, None) when `lose_answer(method)` says to drop the answer."""
    if opts['ServerOffline']:
        return 200, dumps(Fault(koji.ServerOffline.faultCode,
                                opts['OfflineMessage'] or 'server is offline')), 'text/xml'
    try:
        cnx = psycopg.connect(dsn, connect_timeout=5)
    except Exception as e:
        log('database outage: %s' % e)
        return 200, dumps(Fault(koji.ServerOffline.faultCode, 'database outage')), 'text/xml'
    started = time.time()
    try:
        ctx = Context(opts, environ, cnx)
        dispatcher = Dispatcher(ctx)
        try:
            method, response, fault = dispatcher.handle(body)
        except BadRequest as e:
            return 400, str(e) + '\n', 'text/plain'
        if dispatcher.traceback:
            cnx.rollback()
        elif ctx.commit_pending:
            cnx.commit()
        else:
            cnx.rollback()
        user = ctx.session.user_data.get('name') if ctx.session else None
        log('%s %s user=%s %.0fms%s' % (route, method, user, (time.time() - started) * 1000,
                                       ' FAULT %s' % fault if fault else ''))
        if lose_answer is not None and lose_answer(method):
            log('  answer of %s lost on purpose (LoseAnswerOf)' % method)
            return None, None, None
        return 200, response, 'text/xml'
    finally:
        cnx.close()


class HubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def lose_answer(self, method):
        """True once per method named in LoseAnswerOf: its answer is to be dropped."""
        with self.lock:
            if method not in self.opts['LoseAnswerOf'].split() or method in self.lost:
                return False
            self.lost.add(method)
            return True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        log('connection from %s:%s failed: %s' % (client_address[0], client_address[1], exc))


# ---------------------------------------------------------------------------- WSGI application

# hub.conf keys for the database, as koji's hub reads them (kojixmlrpc.config_map).
DB_KEYS = {'DBName': 'dbname', 'DBUser': 'user', 'DBHost': 'host', 'DBPort': 'port',
           'DBPass': 'password'}
_WSGI_CONFIG = {}


def read_hub_config(config_file, config_dir):
    """(options, dsn) from hub.conf and hub.conf.d/*.conf, later files winning, as koji does."""
    parser = configparser.RawConfigParser()
    files = [config_file] + sorted(glob.glob(os.path.join(config_dir, '*.conf')))
    read = parser.read([f for f in files if os.path.isfile(f)])
    if not read:
        raise koji.GenericError('no hub configuration at %s' % config_file)
    section = dict(parser.items('hub')) if parser.has_section('hub') else {}
    opts = dict(DEFAULT_OPTS)
    for key in DEFAULT_OPTS:
        if key.lower() in section:
            opts[key] = parse_option('%s=%s' % (key, section[key.lower()]))[1]
    if section.get('dbconnectionstring'):
        dsn = section['dbconnectionstring']
    else:
        dsn = psycopg.conninfo.make_conninfo(**{
            arg: section[key.lower()] for key, arg in DB_KEYS.items() if section.get(key.lower())})
    return opts, dsn


def application(environ, start_response):
    """The hub at /kojihub under mod_wsgi (see the module's docstring)."""
    config_file = environ.get('koji.hub.ConfigFile', '/etc/koji-hub/hub.conf')
    config_dir = environ.get('koji.hub.ConfigDir', '/etc/koji-hub/hub.conf.d')
    if config_file not in _WSGI_CONFIG:
        _WSGI_CONFIG[config_file] = read_hub_config(config_file, config_dir)
        log('koji hub emulator (koji library %s) serving under mod_wsgi, config %s'
            % (koji.__version__, config_file))
    opts, dsn = _WSGI_CONFIG[config_file]
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    route = {'/kojihub': 'hub', '/kojihub/': 'hub', '/kojihub/ssllogin': 'ssllogin'}.get(path)
    headers = [('Koji-Version', opts['KojiVersion'])]
    if route is None:
        status, text, content_type = 404, 'Not Found\n', 'text/plain'
    elif environ.get('REQUEST_METHOD') != 'POST':
        status, content_type = 405, 'text/plain'
        text = ('Method Not Allowed\nThis is an XML-RPC server. Only POST requests are '
                'accepted.\n')
        headers.append(('Allow', 'POST'))
    else:
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = environ['wsgi.input'].read(length) if length else b''
        status, text, content_type = respond(opts, dsn, route, environ, body)
    data = text.encode('utf-8')
    reasons = {200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed'}
    start_response('%d %s' % (status, reasons[status]),
                   headers + [('Content-Type', content_type), ('Content-Length', str(len(data)))])
    return [data]


def init_db(dsn, admin):
    with psycopg.connect(dsn) as cnx:
        if cnx.execute("SELECT to_regclass('public.users')").fetchone()[0] is None:
            with open(os.path.join(HERE, 'schema.sql')) as f:
                cnx.execute(f.read())
            log('loaded schema.sql')
        if admin:
            # The operator's bootstrap, as SQL (koji has no API to make the first admin).
            cnx.execute("INSERT INTO users (name, status, usertype) VALUES (%(n)s, 0, 0) "
                        "ON CONFLICT (name) DO NOTHING", {'n': admin})
            cnx.execute("INSERT INTO user_perms (user_id, perm_id, creator_id) "
                        "SELECT u.id, p.id, u.id FROM users u, permissions p "
                        "WHERE u.name = %(n)s AND p.name = 'admin' AND NOT EXISTS ("
                        "SELECT 1 FROM user_perms x WHERE x.user_id = u.id AND "
                        "x.perm_id = p.id AND x.active)", {'n': admin})


def parse_option(text):
    key, sep, value = text.partition('=')
    if not sep or key not in DEFAULT_OPTS:
        raise SystemExit('unknown option %r (known: %s)' % (key, ', '.join(sorted(DEFAULT_OPTS))))
    if key in BOOL_OPTS:
        return key, value.strip().lower() in ('1', 'yes', 'true', 'on')
    if key in INT_OPTS:
        return key, int(value)
    return key, value


def serve(args):
    opts = dict(DEFAULT_OPTS)
    for text in args.option or []:
        key, value = parse_option(text)
        opts[key] = value
    init_db(args.dsn, args.admin)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.load_verify_locations(args.ca)
    # `SSLVerifyClient optional` for the whole server: a client may present a certificate (it
    # must then chain to the CA) or none; only sslLogin needs one. TLS 1.3 works, because the
    # certificate is asked for in the handshake, not after it.
    context.verify_mode = ssl.CERT_OPTIONAL
    server = HubServer((args.host, args.port), HubHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    server.opts = opts
    server.dsn = args.dsn
    server.lock = threading.Lock()
    server.lost = set()
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)
    log('koji hub emulator (koji library %s) listening on https://%s:%d/kojihub, options %s'
        % (koji.__version__, args.host, port, json.dumps(opts, sort_keys=True)))
    server.serve_forever()


def run_sql(args):
    with psycopg.connect(args.dsn) as cnx:
        with cnx.cursor(row_factory=dict_row) as cur:
            cur.execute(args.query)
            rows = cur.fetchall() if cur.description else []
            print(json.dumps({'rows': rows, 'rowcount': cur.rowcount}, default=str))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('serve')
    p.add_argument('--dsn', required=True)
    p.add_argument('--cert', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--ca', required=True)
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--port-file')
    p.add_argument('--admin')
    p.add_argument('--option', action='append', metavar='Key=Value')
    p = sub.add_parser('sql')
    p.add_argument('--dsn', required=True)
    p.add_argument('query')
    args = parser.parse_args()
    if args.command == 'serve':
        serve(args)
    else:
        run_sql(args)


if __name__ == '__main__':
    main()
