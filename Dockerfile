# Portpressure images, built from the repository root. One dependency stage, two targets:
#   docker build --target api   -t portpressure-api .
#   docker build --target agent -t portpressure-agent .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV CHECKPOINT_DISABLE=1
# Manifests first so the dependency layer is cached across source changes; prisma/ is needed
# because the postinstall script generates the Prisma client.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma prisma
COPY packages/protocol/package.json packages/protocol/
COPY packages/domain/package.json packages/domain/
COPY packages/logging/package.json packages/logging/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY apps/agent/package.json apps/agent/
# tsx runs the TypeScript sources, so dev dependencies stay.
RUN npm ci --include=dev && npm cache clean --force
COPY tsconfig.base.json ./
COPY packages packages

# The API, serving the built web UI on port 8080.
FROM deps AS api
COPY apps/api apps/api
COPY apps/web apps/web
RUN npm run build:web
ENV NODE_ENV=production TSX_TSCONFIG_PATH=/app/apps/api/tsconfig.json
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# the node options of apps/api/src/node-flags.ts (test/deploy checks they agree)
CMD ["node", "--max-semi-space-size=32", "--import", "tsx", "apps/api/src/main.ts"]

# The agent. It measures the network namespace it runs in: run it with the host's network.
FROM deps AS agent
# iproute2 provides `ss`, the agent's netlink source (it falls back to /proc without it);
# util-linux provides `nsenter`, with which `check --all-namespaces` measures other namespaces.
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 util-linux && rm -rf /var/lib/apt/lists/*
COPY apps/agent apps/agent
ENV NODE_ENV=production TSX_TSCONFIG_PATH=/app/apps/agent/tsconfig.json PORTPRESSURE_STATE_DIR=/var/lib/portpressure-agent
VOLUME /var/lib/portpressure-agent
# Healthy while snapshots keep being taken: the agent rewrites its state file on each one.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const s = require('fs').statSync('/var/lib/portpressure-agent/state.json'); process.exit(Date.now() - s.mtimeMs < 120000 ? 0 : 1)"]
ENTRYPOINT ["node", "--import", "tsx", "apps/agent/src/main.ts"]
CMD ["run"]
