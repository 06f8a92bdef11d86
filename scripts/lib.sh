# Shared by scripts/test and scripts/demo: ports, the Swift toolchain on PATH.
# shellcheck shell=bash

# Swift lives in /opt/swift on the project's machines; put it on PATH if it is not there.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi

# A TCP port on 127.0.0.1 nothing listens on, from a range our scripts own.
free_port() {
  local base=$1 p
  for p in $(seq "$base" $((base + 200))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port near $base" >&2
  return 1
}

# Closes every descriptor above 2 in the current (sub)shell. Call it in the subshell that execs
# a daemon: one that inherits the caller's pipes (say, a $(...) or a test harness reading this
# script's output) would keep them open for its whole life, and the reader would wait forever.
close_fds_above_2() {
  local fd
  for fd in "/proc/$BASHPID/fd"/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-"; fi
  done
}
