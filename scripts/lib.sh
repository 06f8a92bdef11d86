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
