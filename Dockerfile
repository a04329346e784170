# Debian, not Alpine: @temporalio/core-bridge ships glibc prebuilds only (no musl build).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The simulators in dev/ serve the compose stack as its stand-in ServiceNow.
COPY dev ./dev
# Compiles src/ and dev/ to dist/ and prebundles the workflow code into dist/src/workflow-bundle.js,
# so the runtime image needs neither webpack's work at start nor the TypeScript sources.
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# A fixed glibc mmap threshold: large freed blocks go back to the OS instead of staying resident in the per-thread
# arenas; a 256 MB old space per V8 isolate (live heaps are ~45 MB): V8 collects instead of growing; 8 MB semi-spaces
# (Node's default is 16) for each isolate's young generation. Worker RSS with 5 000 parked events 514 -> 327 -> 293 MB
# (README "Performance", dev/bench/image-env.ts, which the benchmark runs with).
ENV MALLOC_MMAP_THRESHOLD_=131072
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8"
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 9464
# PID 1 must forward SIGTERM so the worker drains: run with `docker run --init` / compose `init: true`.
CMD ["node", "dist/src/api/main.js"]
