#!/usr/bin/env bash
# Reproduces the vendored graph libraries under api/ui/static/vendor/ from the npm registry.
# The UI serves these files itself: nothing is fetched from the internet at run time.
# Usage: bash scripts/fetch_ui_assets.sh   (needs npm; run it after changing a pinned version,
# then update the versions and sha256 sums in api/ui/static/vendor/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

CYTOSCAPE_VERSION=3.35.0
DAGRE_VERSION=3.1.3
# The graph library dagre bundles into its browser build; only its licence is copied.
GRAPHLIB_VERSION=4.0.6
dest=api/ui/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack NAME@VERSION TARBALL -> $work/NAME
  mkdir -p "$work/$3"
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  tar -xzf "$work/$2" -C "$work/$3"
}

unpack "cytoscape@${CYTOSCAPE_VERSION}" "cytoscape-${CYTOSCAPE_VERSION}.tgz" cytoscape
unpack "@dagrejs/dagre@${DAGRE_VERSION}" "dagrejs-dagre-${DAGRE_VERSION}.tgz" dagre
unpack "@dagrejs/graphlib@${GRAPHLIB_VERSION}" "dagrejs-graphlib-${GRAPHLIB_VERSION}.tgz" graphlib

mkdir -p "$dest"
cp "$work/cytoscape/package/dist/cytoscape.min.js" "$dest/cytoscape.min.js"
cp "$work/cytoscape/package/LICENSE" "$dest/cytoscape.LICENSE"
cp "$work/dagre/package/dist/dagre.min.js" "$dest/dagre.min.js"
cp "$work/dagre/package/dist/dagre.min.js.LEGAL.txt" "$dest/dagre.min.js.LEGAL.txt"
cp "$work/dagre/package/LICENSE" "$dest/dagre.LICENSE"
cp "$work/graphlib/package/LICENSE" "$dest/graphlib.LICENSE"
echo "cytoscape ${CYTOSCAPE_VERSION}, @dagrejs/dagre ${DAGRE_VERSION} (MIT) -> $dest"
(cd "$dest" && sha256sum cytoscape.min.js dagre.min.js)
