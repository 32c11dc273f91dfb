# Start a real Neo4j 5 Community server on 127.0.0.1 for the Cypher store tests. Sourced by .ci/run.
#
# Maven resolves the embedded database (org.neo4j:neo4j, pinned in .ci/neo4j/pom.xml) from Maven
# Central into ~/.m2, where later runs find it, and compiles the one-file launcher
# .ci/neo4j/Neo4jTestServer.java into the cache. The launcher opens Bolt on a free loopback port
# with authentication off, prints the URI and stops when .ci/run exits. On success NEO4J_URI is
# exported (the variable the tests read); on failure the function returns non-zero and .ci/run
# stops: a green CI run means the Neo4j tests ran.
#
# Usable on its own too: `bash .ci/neo4j.sh install` only builds the cached launcher, and
# `$NEO4J_LAUNCHER --home DIR [--port N]` (the script `install` writes; heap from NEO4J_HEAP,
# default 1g) starts a server by hand; the fault tests start their own servers with it.

NEO4J_CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/neo4j"
NEO4J_VERSION=$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$NEO4J_CI_DIR/pom.xml")
NEO4J_CACHE="${SUPPLYGRAPH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/supplygraph}"
NEO4J_BUILD="$NEO4J_CACHE/neo4j-$NEO4J_VERSION-launcher"
NEO4J_LAUNCHER="$NEO4J_BUILD/launch"

neo4j_install() {
  # Rebuild only when the pom or the launcher changed: Maven itself takes a while to start.
  local stamp
  stamp=$(cat "$NEO4J_CI_DIR/pom.xml" "$NEO4J_CI_DIR/Neo4jTestServer.java" "${BASH_SOURCE[0]}" |
    sha256sum | cut -c1-16)
  if [ -x "$NEO4J_LAUNCHER" ] && [ "$(cat "$NEO4J_BUILD/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "Neo4j $NEO4J_VERSION launcher: cached in $NEO4J_BUILD"
    return 0
  fi
  command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 || {
    echo "ERROR: java (17+) and mvn are needed to build the Neo4j test server" >&2
    return 1
  }
  echo "Neo4j $NEO4J_VERSION launcher: resolving with Maven into ~/.m2 (slow the first time)"
  mkdir -p "$NEO4J_BUILD"
  mvn -B -q --no-transfer-progress -Dstyle.color=never -f "$NEO4J_CI_DIR/pom.xml" \
    -Dlauncher.build="$NEO4J_BUILD" compile >"$NEO4J_BUILD/maven.log" 2>&1 || {
    echo "ERROR: building the Neo4j launcher failed; see $NEO4J_BUILD/maven.log" >&2
    tail -20 "$NEO4J_BUILD/maven.log" >&2 || true
    return 1
  }
  # The launch script carries the resolved classpath, so starting a server needs no Maven.
  {
    echo '#!/usr/bin/env bash'
    echo "# Starts the Neo4j $NEO4J_VERSION test server (written by .ci/neo4j.sh)."
    # shellcheck disable=SC2016  # $NEO4J_HEAP and $@ expand when the launcher runs
    printf 'exec java -Xmx"${NEO4J_HEAP:-1g}" -XX:+UseSerialGC -cp %q Neo4jTestServer "$@"\n' \
      "$NEO4J_BUILD/classes:$(cat "$NEO4J_BUILD/classpath.txt")"
  } >"$NEO4J_LAUNCHER"
  chmod +x "$NEO4J_LAUNCHER"
  echo "$stamp" >"$NEO4J_BUILD/stamp"
}

NEO4J_PID=""

neo4j_stop() {
  if [ -n "$NEO4J_PID" ]; then
    kill "$NEO4J_PID" 2>/dev/null || true
    wait "$NEO4J_PID" 2>/dev/null || true
    NEO4J_PID=""
  fi
  [ -z "${NEO4J_HOME_DIR:-}" ] || rm -rf "$NEO4J_HOME_DIR"
}

neo4j_start() {
  neo4j_install || return 1
  local log uri i
  NEO4J_HOME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/supplygraph-neo4j.XXXXXX")
  log="$NEO4J_HOME_DIR/launcher.log"
  # --parent: the server also stops by itself should this shell die without running its traps.
  "$NEO4J_LAUNCHER" --home "$NEO4J_HOME_DIR/home" --parent $$ >"$log" 2>&1 &
  NEO4J_PID=$!
  # Chain onto whatever EXIT trap .ci/run already has, so every clean-up runs.
  local previous
  previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
  # shellcheck disable=SC2064  # expand now: the pid is fixed from here on
  trap "neo4j_stop; ${previous}" EXIT
  # The first start on a busy machine takes a minute (JIT, store creation).
  for i in $(seq 1 300); do
    uri=$(grep -m1 -o 'bolt://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null) || uri=""
    if [ -n "$uri" ]; then
      export NEO4J_URI="$uri"
      echo "Neo4j $NEO4J_VERSION running at $NEO4J_URI (pid $NEO4J_PID, auth off)"
      return 0
    fi
    kill -0 "$NEO4J_PID" 2>/dev/null || break
    sleep 1
  done
  echo "ERROR: Neo4j did not start; launcher log:" >&2
  tail -30 "$log" >&2 || true
  neo4j_stop
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run directly: only build the cache (useful to warm it up ahead of CI).
  set -euo pipefail
  neo4j_install
else
  neo4j_start
fi
