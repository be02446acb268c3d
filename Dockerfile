# bluejay-gate: the GitHub Action / GitLab CI image, published prebuilt to
# ghcr.io/bluejay-gate/bluejay-gate by .github/workflows/release-image.yml.
#
# Two stages: `build` installs the pinned dependencies and the package into /opt/venv
# (pip and its caches stay there), the runtime copies only that venv onto a fresh slim
# base. No compiler is needed (every dependency has a wheel) and none is shipped.
# Bytecode is compiled at build with unchecked hashes, so it stays valid after the copy
# and nothing is compiled (or written) when the container starts.
# It runs as root: GitHub requires it of Docker actions (the workspace is the runner's);
# entrypoint.py hands the files it wrote back to the workspace owner.
FROM python:3.12-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-deps -r requirements.lock
COPY pyproject.toml setup.py README.md ./
COPY bluejay_gate ./bluejay_gate
COPY examples ./examples
RUN /opt/venv/bin/pip install --no-deps --no-compile . \
 && /opt/venv/bin/pip uninstall --yes pip setuptools \
 && find /opt/venv -name __pycache__ -type d -prune -exec rm -rf {} + \
 && python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv/lib

FROM python:3.12-slim

LABEL org.opencontainers.image.title="bluejay-gate" \
      org.opencontainers.image.description="CI/CD quality gate for voice and chat agents tested on Bluejay" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

COPY --from=build /opt/venv /opt/venv
COPY entrypoint.py /opt/bluejay-gate/entrypoint.py

ENTRYPOINT ["/opt/venv/bin/python", "/opt/bluejay-gate/entrypoint.py"]
