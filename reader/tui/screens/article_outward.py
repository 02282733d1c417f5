"""The article screen's keys that reach outside it: the next or previous article of the list
(J, K), the article's web address in a browser (B), a passage to the clipboard (y).

It changes nothing in the database; the app decides which article comes next and opens the URL.
"""

from __future__ import annotations

from reader.tui.format import plural, short_quote


class ArticleOutward:
    """Part of ArticleScreen (it has `article`, `view`, `app`, `notify` and `say`)."""

    def action_next_article(self, step: int) -> None:
        self.app.open_neighbour(step)

    def action_open_url(self) -> None:
        self.app.open_article_url(self.article.url)

    def action_copy_passage(self) -> None:
        """Copy the selection, else the innermost annotation under the cursor, else its sentence."""
        view = self.view
        if view.selection is not None:
            span, what = view.target_span(), "selection"
        else:
            here = view.highlights_at(view.cursor)
            if here:
                innermost = min(here, key=lambda highlight: highlight.end - highlight.start)
                span, what = (innermost.start, innermost.end), "passage"
            else:
                span, what = view.segments.sentence_at(view.cursor), "sentence"
        if span is None:
            self.notify("Nothing to copy here: move to some text or select a passage.", markup=False)
            return
        text = self.article.text[span[0] : span[1]]
        self.app.copy_to_clipboard(text)
        self.say(f"Copied the {what} ({plural(len(text), 'character')}): “{short_quote(text, 40)}”")
