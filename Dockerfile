# LLMforRetail API / batch / Ray image: `docker build -t llm4retail .` (see docs/scale.md).
# Everything the engine needs at run time is inside (models ship in PyPI wheels or are trained into the
# data volume); the container reaches nothing outside its compose network.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    LLM4RETAIL_DATA_DIR=/data

# libgomp1: OpenMP of LightGBM, faiss and torch on the slim image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The CPU build of torch first: the pinned torch==2.13.0 from PyPI's default index is the multi-GB CUDA one.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY llm4retail ./llm4retail
RUN pip install '.[ray,voice]'

RUN useradd --uid 10001 --create-home app && mkdir -p /data && chown app /data
USER app
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"

CMD ["llm4retail", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
