FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY config ./config
COPY xeco ./xeco
RUN pip install --no-cache-dir .
RUN useradd --create-home xeco && mkdir -p /data && chown xeco /data
USER xeco
EXPOSE 5000
CMD ["gunicorn", "--bind", "0.0.0.0:5000", "-c", "config/gunicorn.py", "xeco.wsgi:app"]
