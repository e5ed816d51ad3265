FROM node:20-bookworm-slim

WORKDIR /app

# Production dependencies only, which include tsx to run the TypeScript sources. The image's npm 10 ignores the
# allowScripts field in package.json and runs every install script.
COPY package.json package-lock.json ./
# swagger-ui-dist depends on @scarf/scarf, whose install script sends usage analytics; this turns it off.
ENV SCARF_ANALYTICS=false
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

# The code stays owned by root. Only the default DATA_DIR and OUTBOX_DIR are writable by the app, and the app uses
# them only when DATABASE_URL, TEMPORAL_ADDRESS or SMTP_HOST is unset.
RUN mkdir -p .data outbox && chown node:node .data outbox
USER node

EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

# Runs what `npm start` runs, without npm in between: npm does not forward SIGTERM to the app (seen with
# npm 11.19.1), and `docker stop` must reach the app's shutdown handler.
CMD ["node", "--import", "tsx", "worker/main.ts"]
