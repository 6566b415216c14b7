# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, run with production dependencies only, as a
# non-root user on a read-only root filesystem (deploy/k8s mounts an emptyDir at /tmp).
# Node 22 LTS (Node 20 left support in April 2026; nestjs-pino 5 declares node >= 22.12). The
# unit tier runs on Node 22 too (deploy/local/run-tests.sh); the machine's Node 20 runs the rest.
ARG NODE_IMAGE=node:22.23-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
# No install scripts of dependencies (npm 10 in this image does not read package.json's
# allowScripts); the one script the build needs, the Prisma client generation, runs explicitly.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run prisma:generate
COPY tsconfig*.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma/generated ./prisma/generated
COPY migrations ./migrations
# Numeric, so Kubernetes can verify runAsNonRoot without a runAsUser (1000 is the image's "node").
USER 1000:1000
EXPOSE 3000
# On SIGTERM readiness turns 503 at once, the read API serves on for SHUTDOWN_DRAIN_DELAY_MS, and
# the process exits within SHUTDOWN_GRACE_MS after that.
STOPSIGNAL SIGTERM
# ROLE picks the deployable: all-in-one, command-processor, projector or read-api. Kubernetes
# runs each role with an explicit command instead (deploy/k8s); `exec` keeps node as PID 1's
# only process so it receives the signals itself.
ENV ROLE=all-in-one
CMD ["sh", "-c", "exec node dist/apps/${ROLE}/src/main.js"]
