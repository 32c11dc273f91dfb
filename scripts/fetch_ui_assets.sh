#!/usr/bin/env bash
# Reproduces the vendored browser libraries from the npm registry: the graph libraries under
# api/ui/static/vendor/ and the API documentation viewers (Swagger UI, ReDoc) under
# api/docs_assets/. The app serves these files itself: nothing is fetched from the internet at
# run time.
# Usage: bash scripts/fetch_ui_assets.sh   (needs npm; run it after changing a pinned version,
# then update the versions and sha256 sums in api/ui/static/vendor/README.md and
# api/docs_assets/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

CYTOSCAPE_VERSION=3.35.0
DAGRE_VERSION=3.1.3
# The graph library dagre bundles into its browser build; only its licence is copied.
GRAPHLIB_VERSION=4.0.6
SWAGGER_UI_VERSION=5.35.0
# The last ReDoc major whose standalone bundle reads the <redoc spec-url> element FastAPI writes.
REDOC_VERSION=2.5.4
dest=api/ui/static/vendor
docs=api/docs_assets
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

unpack "swagger-ui-dist@${SWAGGER_UI_VERSION}" "swagger-ui-dist-${SWAGGER_UI_VERSION}.tgz" swagger
unpack "redoc@${REDOC_VERSION}" "redoc-${REDOC_VERSION}.tgz" redoc
mkdir -p "$docs"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png; do
  cp "$work/swagger/package/$f" "$docs/$f"
done
cp "$work/swagger/package/LICENSE" "$docs/swagger-ui.LICENSE"
cp "$work/swagger/package/NOTICE" "$docs/swagger-ui.NOTICE"
cp "$work/redoc/package/bundles/redoc.standalone.js" "$docs/redoc.standalone.js"
cp "$work/redoc/package/bundles/redoc.standalone.js.LICENSE.txt" "$docs/redoc.standalone.js.LICENSE.txt"
cp "$work/redoc/package/LICENSE" "$docs/redoc.LICENSE"
echo "swagger-ui-dist ${SWAGGER_UI_VERSION} (Apache-2.0), redoc ${REDOC_VERSION} (MIT) -> $docs"
(cd "$docs" && sha256sum swagger-ui-bundle.js swagger-ui.css favicon-32x32.png redoc.standalone.js)
