# wholeplace Airflow image: the official Airflow 3 image plus the dependencies locked in uv.lock.
# Built by docker-compose.yml (`build: .`, tagged wholeplace-airflow:latest).
#
# The tag pins Airflow and Python. It must equal the apache-airflow pin in uv.lock
# (tests/unit/test_docker_compose.py checks it; the RUN below fails the build if they differ),
# so installing the lock never replaces the Airflow the image ships with.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN mkdir -p /opt/wholeplace && chown airflow:0 /opt/wholeplace
USER airflow
WORKDIR /opt/wholeplace

# 1. Dependencies, exactly as locked (a layer that changes only when the lock does).
#    `uv export --frozen` reads uv.lock as it is (never re-resolves or rewrites it) and lists every
#    package pinned, transitive ones included; `--no-deps` installs exactly that list, nothing resolved.
#    uv ships in the official image (docker-stack-docs: extending/add-pypi-packages-uv).
COPY --chown=airflow:0 pyproject.toml uv.lock ./
RUN uv export --frozen --no-dev --no-emit-project --no-hashes --output-file /tmp/requirements.txt \
    && { grep -qE "^apache-airflow==${AIRFLOW_VERSION}([ ;]|$)" /tmp/requirements.txt \
         || { echo "uv.lock does not pin apache-airflow==${AIRFLOW_VERSION} (the base image's)" >&2; exit 1; }; } \
    && uv pip install --no-cache --no-deps -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. The project source, in the repository's layout so core/settings.py finds dbt_project/ and
#    ingest/snapshots/ next to the packages. docker-compose.yml bind-mounts the same directories over
#    these copies; the copies let the image run on its own.
COPY --chown=airflow:0 core ./core
COPY --chown=airflow:0 ingest ./ingest
COPY --chown=airflow:0 warehouse ./warehouse
COPY --chown=airflow:0 expectations ./expectations
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY --chown=airflow:0 regions ./regions
COPY --chown=airflow:0 dags /opt/airflow/dags

# `import ingest` etc. via PYTHONPATH (no build step); runtime data goes under ./warehouse.
ENV PYTHONPATH=/opt/wholeplace \
    WHOLEPLACE_WAREHOUSE_DIR=/opt/wholeplace/warehouse

WORKDIR /opt/airflow
