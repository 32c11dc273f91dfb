#!/usr/bin/env bash
# Installs Debian's chromium (and its driver) for the web UI browser tests when it is missing.
# The tests drive it with playwright through executable_path; no browser is ever downloaded
# by playwright itself. Without chromium the browser tests are reported as skipped.
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
else
  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) ||
    echo "chromium could not be installed; the browser tests will be skipped" >&2
fi
