"""Celery's entry point: ``celery -A xeco.worker worker``."""

from celery.signals import worker_init

from xeco import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]


@worker_init.connect
def _load_segmenter(**_kwargs) -> None:
    # Loading jieba's dictionary takes one to four seconds of CPU. Built lazily, it fell on
    # the first Chinese task of every pool process, a post that waited seconds for its
    # proposals; built here, before the pool forks, every process starts with it.
    from xeco.matching import chinese

    chinese.tokenizer()
