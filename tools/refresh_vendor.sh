#!/usr/bin/env bash
# Maintainer script: refresh the vendored front-end files from the npm registry.
# Readers and CI never run this. Needs node and npm. Versions come from vendor.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/book/_static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
version() { python3 -c "import json,sys; print(next(p['version'] for p in json.load(open('$vendor/vendor.json'))['packages'] if p['npm']==sys.argv[1]))" "$1"; }
for pkg in @jupyter-widgets/html-manager vega vega-lite vega-embed; do
  npm pack --silent "$pkg@$(version "$pkg")" >/dev/null
done
for t in *.tgz; do mkdir -p "${t%.tgz}"; tar xzf "$t" -C "${t%.tgz}"; done
hm=$(ls -d jupyter-widgets-html-manager-*/package/dist)
cp "$hm"/embed.js "$hm"/embed.js.LICENSE.txt "$hm"/*.woff "$hm"/*.woff2 "$vendor/html-manager/"
cp vega-[0-9]*/package/build/vega.min.js "$vendor/vega/"
cp vega-lite-*/package/build/vega-lite.min.js "$vendor/vega/"
cp vega-embed-*/package/build/vega-embed.min.js "$vendor/vega/"
echo "refreshed $vendor"
