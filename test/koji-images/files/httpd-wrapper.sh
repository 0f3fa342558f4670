#!/bin/sh
# /usr/sbin/httpd of the local Debian-based images. Fedora's httpd loads a few modules from files
# (unixd, log_config, ...) that Debian's apache2 has compiled in, and httpd refuses to load a
# built-in module ("module unixd_module is built-in and can't be loaded"). So: the config given
# with -f is copied to /run/httpd with exactly those LoadModule lines left out (and said so on
# stderr); every other line runs unchanged under Debian's apache2.
set -eu
builtin=$(/usr/sbin/apache2 -l | sed -n 's/^ *mod_\(.*\)\.c$/\1_module/p' | tr '\n' '|')
config=
prev=
for arg in "$@"; do
  [ "$prev" = -f ] && config=$arg
  prev=$arg
done
if [ -n "$config" ] && [ -n "$builtin" ]; then
  adapted=/run/httpd/httpd.debian.conf
  grep -Ev "^[[:space:]]*LoadModule[[:space:]]+(${builtin%|})[[:space:]]" "$config" > "$adapted"
  skipped=$(grep -Eo "^[[:space:]]*LoadModule[[:space:]]+(${builtin%|})" "$config" | awk '{print $2}' | tr '\n' ' ')
  [ -n "$skipped" ] && echo "httpd (local Debian image): built into Debian's apache2, not loaded from files: $skipped" >&2
  prev=
  for arg in "$@"; do
    shift
    if [ "$prev" = -f ]; then set -- "$@" "$adapted"; else set -- "$@" "$arg"; fi
    prev=$arg
  done
fi
exec /usr/sbin/apache2 "$@"
