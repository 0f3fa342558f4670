// The options each koji component reads, per section, taken from koji's source at
// koji-project/koji 2083513a (koji 1.35.3 plus master work of July 2025):
//   hub.conf   kojihub/kojixmlrpc.py   config_map; [policy] takes any rule name
//   web.conf   www/kojiweb/wsgi_publisher.py   Dispatcher.cfgmap
//   kojira     util/kojira   get_options(): int_opts + str_opts + bool_opts (not legacy_opts,
//              which 1.35 ignores with a warning: max_repo_tasks and repo_tasks_limit moved to the hub)
//   kojid      builder/kojid   get_options(): the defaults dict plus the int and bool lists,
//              plugin(s) and RLIMIT_*; anything else: "unknown config option", and kojid quits
//   koji CLI   koji/__init__.py   read_config(): config_defaults
// Only these reach a generated file: kojid and kojira quit on an unknown key, and the hub and
// kojiweb silently ignore one (mbbox's `LoginCreateUser` typo went unnoticed that way).

const rlimits = [
  'AS',
  'CORE',
  'CPU',
  'DATA',
  'FSIZE',
  'MEMLOCK',
  'NOFILE',
  'NPROC',
  'OFILE',
  'RSS',
  'STACK',
].map((r) => `RLIMIT_${r}`);

export const hubOptions: readonly string[] = [
  ...['DBName', 'DBUser', 'DBHost', 'DBhost', 'DBPort', 'DBPass', 'DBConnectionString', 'KojiDir'],
  ...['ProxyPrincipals', 'HostPrincipalFormat', 'AllowedKrbRealms', 'DisableURLSessions'],
  ...['DNUsernameComponent', 'ProxyDNs', 'CheckClientIP', 'LoginCreatesUser', 'AllowProxyAuthType'],
  ...['KojiWebURL', 'EmailDomain', 'NotifyOnSuccess', 'DisableNotifications', 'Plugins', 'PluginPath'],
  ...['KojiDebug', 'KojiTraceback', 'VerbosePolicy', 'LogLevel', 'LogFormat', 'MissingPolicyOk'],
  ...['EnableMaven', 'EnableWin', ...rlimits, 'MemoryWarnThreshold', 'MaxRequestLength'],
  ...['LockOut', 'ServerOffline', 'OfflineMessage', 'MaxNameLengthInternal', 'RegexNameInternal'],
  ...['RegexUserName', 'RPMDefaultChecksums', 'SessionRenewalTimeout'],
  ...['MaxJobs', 'CapacityOvercommit', 'ReadyTimeout', 'AssignTimeout', 'SoftRefusalTimeout'],
  ...['HostTimeout', 'RunInterval', 'MaxRepoTasks', 'MaxRepoTasksMaven', 'RepoRetries'],
  ...['RequestCleanTime', 'AllowNewRepo', 'RepoLag', 'RepoAutoLag', 'RepoLagWindow', 'RepoQueueUser'],
  ...['DebuginfoTags', 'SourceTags', 'SeparateSourceTags'],
];

export const webOptions: readonly string[] = [
  ...['SiteName', 'KojiHubURL', 'KojiFilesURL', 'KojiTheme', 'KojiGreeting', 'LiteralFooter'],
  ...['WebPrincipal', 'WebKeytab', 'WebCCache', 'KrbService', 'KrbRDNS', 'KrbCanonHost', 'KrbServerRealm'],
  ...['WebAuthType', 'WebCert', 'KojiHubCA', 'PythonDebug', 'LoginTimeout', 'Secret', 'LoginDisabled'],
  ...['LibPath', 'LogLevel', 'LogFormat', 'Tasks', 'ToplevelTasks', 'ParentTasks', 'MBS_WEB_URL', ...rlimits],
];

export const kojiraOptions: readonly string[] = [
  ...['deleted_repo_lifetime', 'retry_interval', 'max_retries', 'offline_retry_interval'],
  ...['max_delete_processes', 'dist_repo_lifetime', 'sleeptime', 'expired_repo_lifetime'],
  ...['repo_lifetime', 'recheck_period', 'reference_recheck_period'],
  ...['topdir', 'server', 'user', 'password', 'logfile', 'principal', 'keytab', 'cert', 'serverca', 'ccache'],
  ...['verbose', 'debug', 'ignore_stray_repos', 'offline_retry', 'no_ssl_verify', 'check_external_repos'],
  'ignore_other_volumes',
];

export const kojidOptions: readonly string[] = [
  ...['sleeptime', 'maxjobs', 'buildroot_basic_cleanup_delay', 'buildroot_final_cleanup_delay'],
  ...['literal_task_arches', 'minspace', 'admin_emails', 'log_level', 'topdir', 'topurl', 'workdir'],
  ...['chroot_tmpdir', 'pluginpath', 'mockdir', 'mockuser', 'packager', 'vendor', 'distribution'],
  ...['mockhost', 'smtphost', 'smtp_user', 'smtp_pass', 'from_addr', 'krb_principal'],
  ...['host_principal_format', 'keytab', 'ccache', 'server', 'user', 'password', 'retry_interval'],
  ...['max_retries', 'offline_retry', 'offline_retry_interval', 'log_timestamps', 'timeout'],
  ...['no_ssl_verify', 'use_fast_upload', 'use_createrepo_c', 'createrepo_skip_stat', 'createrepo_update'],
  ...['distrepo_skip_stat', 'copy_old_repodata', 'mock_bootstrap_image', 'pkgurl', 'allowed_scms'],
  ...['allowed_scms_use_config', 'allowed_scms_use_policy', 'scm_credentials_dir'],
  ...['support_rpm_source_layout', 'yum_proxy', 'maven_repo_ignore', 'failed_buildroot_lifetime'],
  ...['rpmbuild_timeout', 'oz_install_timeout', 'xz_options', 'task_avail_delay', 'cert', 'serverca'],
  ...['allow_noverifyssl', 'allow_password_in_scm_url', 'build_arch_can_fail', 'plugin', 'plugins'],
  ...rlimits,
];

export const clientOptions: readonly string[] = [
  ...['server', 'weburl', 'topurl', 'pkgurl', 'topdir', 'max_retries', 'retry_interval', 'anon_retry'],
  ...['offline_retry', 'offline_retry_interval', 'timeout', 'auth_timeout', 'use_fast_upload'],
  ...['upload_blocksize', 'poll_interval', 'principal', 'keytab', 'cert', 'serverca', 'no_ssl_verify'],
  ...['authtype', 'debug', 'debug_xmlrpc', 'pyver', 'plugin_paths', 'force_auth'],
];

/** Which keys a section of a component's file may hold; `'any'` for free-form sections. */
export type FileSchema = Record<string, readonly string[] | 'any'>;

export const hubConfSchema: FileSchema = { hub: hubOptions, policy: 'any' };
export const webConfSchema: FileSchema = { web: webOptions };
export const kojiraConfSchema: FileSchema = { kojira: kojiraOptions };
export const kojidConfSchema: FileSchema = { kojid: kojidOptions };
export const clientConfSchema: FileSchema = { koji: clientOptions };
