#!/bin/sh
# Starts Chromium ($CHROMIUM, default /usr/bin/chromium) with the given arguments, unable to raise its own
# priority: run as root, Chromium renices its browser and GPU processes to -8 (CAP_SYS_NICE), which would
# let a headless test or screenshot outrun other work on the machine; without the capability its processes
# keep the nice value they are started with. As a normal user there is nothing to drop.
BIN="${CHROMIUM:-/usr/bin/chromium}"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
  exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice -- "$BIN" "$@"
fi
exec "$BIN" "$@"
