# One image for every JobMatch process; docker-compose.yml picks the Procfile entry each container runs.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    DJANGO_SETTINGS_MODULE=jobmatch.settings.prod \
    JOBMATCH_DATA_DIR=/data

WORKDIR /app
# torch's CPU build from PyTorch's own index first: from PyPI, sentence-transformers would pull a CUDA build.
COPY requirements.txt constraints.txt ./
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install -r requirements.txt
COPY . .
RUN useradd --create-home --uid 1000 jobmatch && mkdir -p /data && chown jobmatch /data
USER jobmatch
EXPOSE 8000
CMD ["honcho", "start", "web"]
