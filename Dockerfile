# bluejay-gate: the GitHub Action / GitLab CI image.
FROM python:3.12-slim

LABEL org.opencontainers.image.title="bluejay-gate" \
      org.opencontainers.image.description="CI/CD quality gate for voice and chat agents tested on Bluejay" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/bluejay-gate
COPY requirements.lock ./
RUN pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md entrypoint.py ./
COPY bluejay_gate ./bluejay_gate
RUN pip install --no-deps .

ENTRYPOINT ["python", "/opt/bluejay-gate/entrypoint.py"]
