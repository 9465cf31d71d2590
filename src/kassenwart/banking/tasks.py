"""Background work that stays inside banking (django-tasks, ids only)."""

from django_tasks import task

from kassenwart.banking import text_search


@task()
def text_index_task() -> dict:
    """The text search's index caught up with the transactions imported (text_search.index_new)."""
    return {"indexed": text_search.index_new()}


def text_index_enqueue_due() -> int:
    """The clock's catch-up for rows an import's own task has not indexed (the worker was
    down, or they were written otherwise): enqueues the task when there are any."""
    waiting = text_search.unindexed()
    if waiting:
        text_index_task.enqueue()
    return waiting
