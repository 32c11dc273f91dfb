#!/usr/bin/env bash
# Reproduces the vendored graph library under api/ui/static/vendor/ from the npm registry.
# The UI serves these files itself: nothing is fetched from the internet at run time.
# Usage: bash scripts/fetch_ui_assets.sh   (needs npm; run it after changing the pinned version)
set -euo pipefail
cd "$(dirname "$0")/.."

CYTOSCAPE_VERSION=3.35.0
dest=api/ui/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "cytoscape@${CYTOSCAPE_VERSION}" >/dev/null)
tar -xzf "$work/cytoscape-${CYTOSCAPE_VERSION}.tgz" -C "$work"
mkdir -p "$dest"
cp "$work/package/dist/cytoscape.min.js" "$dest/cytoscape.min.js"
cp "$work/package/LICENSE" "$dest/cytoscape.LICENSE"
echo "cytoscape ${CYTOSCAPE_VERSION} (MIT) -> $dest"
