#!/usr/bin/env bash
# Rebuild toolkit/assets/plotly/plotly-forum.min.js: plotly.js with only the trace types of the forum packs
# (scatter, bar, sankey), a quarter of the full bundle's size and parse time. The version must be the one that the
# installed plotly Python package bundles (python -c "from plotly.offline import get_plotlyjs_version as v; print(v())");
# update BUNDLE_VERSION and BUNDLE_TRACES in toolkit/io/assets.py with it. Needs node and npm.
set -euo pipefail
version="${1:-4.1.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --no-audit --no-fund "plotly.js@$version" esbuild >/dev/null
cat > entry.js <<'JS'
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/sankey')]);
module.exports = Plotly;
JS
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2018 \
  --define:global=window --outfile=bundle.js --log-level=warning
{
  printf '/* plotly.js %s (MIT licence, see LICENSE), partial bundle: scatter, bar, sankey; built by tools/build_plotly_bundle.sh */\n' "$version"
  cat bundle.js
} > "$here/toolkit/assets/plotly/plotly-forum.min.js"
cp node_modules/plotly.js/LICENSE "$here/toolkit/assets/plotly/LICENSE"
