# panel-quotes: one image for every chat front end; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    QUOTES_STATE_DIR=/state QUOTES_CACHE_DIR=/opt/panel-quotes/cache

WORKDIR /opt/panel-quotes

# Quote cards draw Chinese with Noto CJK (Sans and Serif), which fontconfig finds.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig \
    && rm -rf /var/lib/apt/lists/*

# Dependencies in a layer of their own: a change to the code or the data does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir bot adapters data \
    && python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(d['dependencies'] + [r for e in ('discord', 'slack', 'postgres') for r in d['optional-dependencies'][e]]))" \
       > requirements.txt \
    && pip install -r requirements.txt

COPY bot ./bot
COPY adapters ./adapters
COPY data ./data
RUN pip install --no-deps '.[discord,slack,postgres]' \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin quotes \
    && mkdir -p /state "$QUOTES_CACHE_DIR" \
    # Build the shipped panels' index now, so that starting does no heavy work.
    && python -m bot search 算力 --limit 1 > /dev/null \
    && chown -R quotes /state

USER quotes
VOLUME ["/state"]
# /healthz answers 200 while every chat bot in the container is connected, 503 otherwise.
# It asks HEALTH_PORT (HEALTH_PORT=0 turns the endpoint, and so the check, off).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; p = os.environ.get('HEALTH_PORT', '8080'); \
p == '0' or urllib.request.urlopen(f'http://127.0.0.1:{p}/healthz', timeout=4)"
CMD ["python", "-m", "bot", "run"]
