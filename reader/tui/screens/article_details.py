"""The article screen's keys about the article itself rather than its text: correcting its
title, date, source and attributes (ctrl+e), removing it (D).

The app asks and writes (the details form, the removal box); this part shows the result.
"""

from __future__ import annotations

from textual.widgets import Static


class ArticleDetails:
    """Part of ArticleScreen (it has `article`, `store`, `app`, `dismiss` and `_title`)."""

    def _details_changed(self) -> bool:
        """Whether the title, date, source or attributes stored differ from those shown."""
        meta, shown = self.store.articles.meta_of(self.article.id), self.article
        return (meta.title, meta.published, meta.source, meta.attributes) != (
            shown.title, shown.published, shown.source, shown.attributes)

    def _show_details(self) -> None:
        self.article = self.store.articles.get(self.article.id)
        self.query_one("#article-title", Static).update(self._title())

    def action_edit_details(self) -> None:
        self.app.edit_details(self.article.id, self._show_details)

    def action_remove_article(self) -> None:
        from reader.services.removal import done_line

        def removed(counts) -> None:
            self.removed = True  # (gone on purpose: back to the list once, without a warning)
            self.dismiss(None)
            self.app.notify(done_line(counts))

        self.app.remove_articles([self.article.id], "Remove this article?", removed)
