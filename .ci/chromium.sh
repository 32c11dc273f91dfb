#!/usr/bin/env bash
# Installs Debian's chromium (and its driver) for the web UI browser tests when it is missing,
# then checks that it really starts headless. The tests drive it with playwright through
# executable_path; no browser is ever downloaded by playwright itself. Exits non-zero when
# chromium is missing or does not start, so .ci/run fails rather than skipping the browser tests.
set -uo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || {
    echo "ERROR: chromium could not be installed" >&2
    exit 1
  }
fi
# Chinese names (most entities here have one) need a CJK font, or the screenshots the browser
# tests keep show boxes; the assertions do not depend on it, so a failed install only warns.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 ||
    echo "WARNING: fonts-noto-cjk not installed; Chinese names show as boxes in screenshots" >&2
fi
echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The same flags the browser tests launch it with.
if ! timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$profile" --dump-dom 'data:text/html,<p>ok</p>' 2>/dev/null | grep -q '<p>ok</p>'; then
  echo "ERROR: chromium is installed but did not render a page headless" >&2
  exit 1
fi
echo "chromium starts headless"
