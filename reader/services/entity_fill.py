"""Filling the entity cache for a whole corpus, a few articles at a time, so that opening any
article later shows its entities at once. Used by the app in a background thread (with its own
database connection) and by `reader entities --fill`.

Caching a text indexes its mentions too (`Store.cache_entities`); after the new texts, the texts
cached before the entity index existed (or whose article's text changed) are indexed in batches
(`index.index_cached`), so an upgraded database never makes the app wait at launch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from reader.core.entities import Recogniser
from reader.store.entity_index import index_cached
from reader.store import Store

#: Articles read per query.
BATCH = 32


def fill_cache(
    store: Store,
    recogniser: Recogniser,
    engine: str,
    should_stop: Callable[[], bool] = lambda: False,
    pause: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recognise and cache every article whose text has no cached entities for `engine`, then
    index the cached texts the entity index lacks; returns how many texts were cached. Each
    article is committed on its own (each batch of the indexing), so stopping (when
    `should_stop()` turns true, checked between articles and batches) loses nothing; `pause`
    seconds are slept between articles to leave the processor to a user interface."""
    done = 0
    after = 0
    while not should_stop():
        batch = store.entities.uncached_texts(engine, after, BATCH)
        if not batch:
            index_cached(store, engine, should_stop, pause)
            break
        for article_id, sha256, text in batch:
            if should_stop():
                return done
            after = article_id
            if store.entities.cached(sha256, engine) is not None:
                continue  # the same text under another article, or cached meanwhile by the app
            store.entities.cache(sha256, engine, recogniser.recognise(text))
            done += 1
            if progress is not None:
                progress(done)
            if pause:
                time.sleep(pause)
    return done
