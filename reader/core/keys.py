"""Every key reader binds, as data: per screen or widget its actions (id, keys, description, footer), the screens' groups, the keys a tag may not take.

Data only: it never imports Textual (reader.tui.keys makes Bindings, help and palette of it) and binds or handles no key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One action of a context: what a Textual `Binding` is made of."""

    #: The name config.yaml's `keymap:` gives it (shown by `?`); kept stable across releases.
    id: str
    #: Textual key names, comma-separated ("j,down", "question_mark").
    keys: str
    #: The Textual action it runs ("move('line', 1)", "app.undo").
    action: str
    description: str
    #: The longer text the help and the palette show (the description when empty).
    tooltip: str = ""
    #: Whether the footer shows it.
    footer: bool = True
    #: Whether it runs before the focused widget sees the key (dialogs' enter over their Input).
    priority: bool = False


@dataclass(frozen=True, slots=True)
class KeyContext:
    """The actions of one screen or widget class (its `BINDINGS` are made from them)."""

    name: str
    actions: tuple[KeyAction, ...]
    #: Whether config.yaml's `keymap:` may change these keys (dialogs' keys are fixed).
    remappable: bool = True


@dataclass(frozen=True, slots=True)
class ScreenKeys:
    """The contexts that take keys on one screen: the screen's own, its widgets' (one of them
    has the focus at a time), and always the app's."""

    #: The screen's own context.
    context: str
    #: The title of its section in the help.
    title: str
    #: Contexts of the widgets that take keys on it, listed in the help before the screen's
    #: own keys and checked with them against a keymap.
    widgets: tuple[str, ...] = ()
    #: The one widget of the screen whose actions the command palette offers (run on it).
    palette_widget: str | None = None
    #: Whether a tag's key tags here (the article screen handles them, with the codebook).
    tag_keys: bool = False


#: The context whose keys work on every screen.
APP = "app"

CONTEXTS: dict[str, KeyContext] = {context.name: context for context in (
    KeyContext(
        'app',
        (
            KeyAction('app.quit_anywhere', 'ctrl+q', 'quit', 'Quit', footer=False),
        ),
    ),
    KeyContext(
        'article',
        (
            KeyAction('annotation.pick_tag', 't', 'pick_tag', 'Tag…',
                'Tag the selection or sentence with any tag (type to filter, or a new name)'),
            KeyAction('article.tag', 'T', 'tag_article', 'Tag article',
                'Tag the whole article (a tag it already has is removed)', footer=False),
            KeyAction('annotation.note', 'm', 'edit_note', 'Note',
                'Add or edit the note of your annotation under the cursor, or a note alone (a memo) on the '
                'selection or sentence'),
            KeyAction('article.note', 'M', 'article_note', 'Article note',
                'Add or edit your note on the whole article', footer=False),
            KeyAction('annotation.delete', 'x', 'delete_annotation', 'Delete',
                'Delete the annotation under the cursor (u brings it back)'),
            KeyAction('history.undo', 'u', 'app.undo', 'Undo', 'Undo the last change (of any screen)'),
            KeyAction('history.redo', 'ctrl+r', 'app.redo', 'Redo', 'Redo the last undone change'),
            KeyAction('article.search', 'slash', 'search', 'Search',
                'Search this article (n and N jump)', footer=False),
            KeyAction('article.panel', 'i', 'toggle_panel', 'Panel',
                'Show or hide the list of annotations and entities'),
            KeyAction('article.entity_types', 'E', 'entity_types', 'Entity types',
                'Choose which entity types are highlighted', footer=False),
            KeyAction('article.accept_entity', 'a', 'accept_entity', 'Accept entity',
                'Confirm the entity under the cursor, in every article', footer=False),
            KeyAction('article.label_entity', 'A', 'label_entity', 'Entity type',
                'Give the selection (a missed entity) or the entity under the cursor a type, in every article', footer=False),
            KeyAction('article.reject_entity', 'X', 'reject_entity', 'Reject entity',
                'Never highlight the entity under the cursor as this type again', footer=False),
            KeyAction('article.annotator', 'W', 'annotator', 'Annotator',
                "Show one annotator's annotations, everyone's, or compare two side by side", footer=False),
            KeyAction('article.entity', 'enter', 'entity', 'Entity',
                'The entity under the cursor across the corpus: mentions, articles, company, tags', footer=False),
            KeyAction('article.orphans', 'O', 'orphans', 'Orphans',
                "Put back an annotation this article's changed text lost: on the selection or sentence", footer=False),
            KeyAction('article.next', 'J', 'next_article(1)', 'Next article',
                "The next article of the list (its order, search and filters), without going back to it", footer=False),
            KeyAction('article.previous', 'K', 'next_article(-1)', 'Previous article',
                'The previous article of the list, without going back to it', footer=False),
            KeyAction('article.remove', 'D', 'remove_article', 'Remove article',
                'Remove this article (its annotations kept as orphans, or deleted on a second choice)', footer=False),
            KeyAction('article.open_url', 'B', 'open_url', 'Browser',
                "Open the article's web address (http or https) in your browser", footer=False),
            KeyAction('article.details', 'ctrl+e', 'edit_details', 'Details',
                "Correct the article's title, date, source and attributes (a re-import keeps them)", footer=False),
            KeyAction('article.copy', 'y', 'copy_passage', 'Copy',
                'Copy the selection, else the annotation or the sentence under the cursor, to the clipboard',
                footer=False),
            KeyAction('article.back', 'q', 'back', 'Back', 'Back to the article list'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
            KeyAction('app.export', 'ctrl+s', 'app.export', 'Export',
                'Export the annotations of the articles the list shows (all, or what its filters leave)'),
        ),
    ),
    KeyContext(
        'article_view',
        (
            KeyAction('cursor.left', 'h,left', "move('char', -1)", 'Left', footer=False),
            KeyAction('cursor.right', 'l,right', "move('char', 1)", 'Right', footer=False),
            KeyAction('cursor.down', 'j,down', "move('line', 1)", 'Down', footer=False),
            KeyAction('cursor.up', 'k,up', "move('line', -1)", 'Up', footer=False),
            KeyAction('cursor.word_next', 'w', "move('word', 1)", 'Next word', footer=False),
            KeyAction('cursor.word_previous', 'b', "move('word', -1)", 'Previous word', footer=False),
            KeyAction('cursor.word_end', 'e', "move('word_end', 1)", 'End of word',
                'To the last letter of the word (of the next one when already there)', footer=False),
            KeyAction('cursor.sentence_next', 'right_parenthesis', "move('sentence', 1)", 'Next sentence',
                footer=False),
            KeyAction('cursor.sentence_previous', 'left_parenthesis', "move('sentence', -1)", 'Previous sentence',
                footer=False),
            KeyAction('cursor.paragraph_next', 'right_curly_bracket', "move('paragraph', 1)", 'Next paragraph',
                footer=False),
            KeyAction('cursor.paragraph_previous', 'left_curly_bracket', "move('paragraph', -1)", 'Previous paragraph',
                footer=False),
            KeyAction('cursor.top', 'g,home', "move('document', -1)", 'Top', footer=False),
            KeyAction('cursor.bottom', 'G,end', "move('document', 1)", 'Bottom', footer=False),
            KeyAction('cursor.page_down', 'pagedown,space', "move('page', 1)", 'Page down', footer=False),
            KeyAction('cursor.page_up', 'pageup', "move('page', -1)", 'Page up', footer=False),
            KeyAction('select.visual', 'v', 'toggle_visual', 'Select',
                'Start a selection at the cursor; moves extend it; v again cancels it'),
            KeyAction('select.sentence', 's', 'select_sentence', 'Sentence', 'Select the sentence under the cursor'),
            KeyAction('select.paragraph', 'p', 'select_paragraph', 'Paragraph',
                'Select the paragraph under the cursor', footer=False),
            KeyAction('select.extend_left', 'shift+left', "extend('char', -1)", 'Extend left', footer=False),
            KeyAction('select.extend_right', 'shift+right', "extend('char', 1)", 'Extend right', footer=False),
            KeyAction('select.extend_up', 'shift+up', "extend('line', -1)", 'Extend up', footer=False),
            KeyAction('select.extend_down', 'shift+down', "extend('line', 1)", 'Extend down', footer=False),
            KeyAction('select.extend_top', 'shift+home', "extend('document', -1)", 'Extend to top', footer=False),
            KeyAction('select.extend_bottom', 'shift+end', "extend('document', 1)", 'Extend to bottom', footer=False),
            KeyAction('select.clear', 'escape', 'clear_selection', 'Clear', 'Clear the selection', footer=False),
            KeyAction('search.next', 'n', 'next_hit(1)', 'Next hit', 'Next search hit', footer=False),
            KeyAction('search.previous', 'N', 'next_hit(-1)', 'Previous hit', 'Previous search hit', footer=False),
            KeyAction('annotation.next', 'right_square_bracket', 'next_annotation(1)', 'Next annotation', footer=False),
            KeyAction('annotation.previous', 'left_square_bracket', 'next_annotation(-1)', 'Previous annotation',
                footer=False),
        ),
    ),
    KeyContext(
        'side_panel',
        (
            KeyAction('side_panel.down', 'j', 'cursor_down', 'Down', footer=False),
            KeyAction('side_panel.up', 'k', 'cursor_up', 'Up', footer=False),
        ),
        remappable=False,
    ),
    KeyContext(
        'list',
        (
            KeyAction('list.search', 'slash', 'search', 'Search', 'Search titles, texts and notes'),
            KeyAction('list.sort', 'o', 'cycle_sort', 'Sort', 'Sort by date, relevance (when searching), title, source or annotations'),
            KeyAction('list.filter_tag', 'f', 'filter_tag', 'Tag filter', 'Show only articles with a tag'),
            KeyAction('list.filter_source', 'S', 'filter_source', 'Source filter', 'Show only one source'),
            KeyAction('list.filter_read', 'r', 'cycle_read', 'Read filter', 'Show all, unread or read articles'),
            KeyAction('list.clear', 'c', 'clear_filters', 'Clear', 'Clear the search and every filter'),
            KeyAction('list.undo', 'u', 'app.undo', 'Undo', 'Undo the last change (of any screen)', footer=False),
            KeyAction('list.redo', 'ctrl+r', 'app.redo', 'Redo', 'Redo the last undone change', footer=False),
            KeyAction('list.toggle_read', 'U', 'toggle_read', 'Read/unread',
                'Mark the article under the cursor unread (or read)', footer=False),
            KeyAction('list.done', 'd', 'toggle_done', 'Done',
                'Mark the article under the cursor done for you (or not done); u undoes it', footer=False),
            KeyAction('list.queue', 'm', 'cycle_queue', 'My queue',
                'Show all articles, those assigned to you, or those assigned and not yet done', footer=False),
            KeyAction('list.filter_annotator', 'a', 'filter_annotator', 'Annotator',
                "Show one annotator's articles and counts, or everyone's", footer=False),
            KeyAction('list.tags', 'T', 'tags', 'Tags',
                'The codebook: every tag with its passages; rename, merge, recolour'),
            KeyAction('list.entity', 'E', 'entity', 'Entities',
                'Find a person, organisation or place across the corpus: mentions, articles, company, tags'),
            KeyAction('list.charts', 'C', 'charts', 'Charts',
                'Charts: tags per source and per month, entities over time, co-occurrence', footer=False),
            KeyAction('list.agreement', 'A', 'agreement', 'Agreement',
                'How far annotators agree, per tag, and the passages where they disagree', footer=False),
            KeyAction('list.orphans', 'O', 'orphans', 'Orphans',
                'Annotations that lost their place when their article changed', footer=False),
            KeyAction('list.details', 'ctrl+e', 'edit_details', 'Details',
                "Correct the title, date, source and attributes of the article under the cursor", footer=False),
            KeyAction('list.filter_attribute', 'F', 'filter_attribute', 'Attribute filter',
                "Show only articles whose attribute (a dataset's category...) has a value", footer=False),
            KeyAction('list.columns', 'L', 'pick_column', 'Column',
                'Show an attribute as a column of the list (again: hide it)', footer=False),
            KeyAction('list.open_url', 'B', 'open_url', 'Browser',
                "Open the web address of the article under the cursor in your browser", footer=False),
            KeyAction('list.remove', 'D', 'remove_article', 'Remove',
                'Remove the article under the cursor (its annotations kept as orphans, or deleted on a second choice)',
                footer=False),
            KeyAction('list.remove_shown', 'ctrl+d', 'remove_shown', 'Remove shown',
                'Remove every article the list shows (the result of its search and filters)', footer=False),
            KeyAction('app.quit', 'q', 'app.quit_or_ask', 'Quit',
                'Quit (asking first while reader is still working in the background; ctrl+q never asks)'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
            KeyAction('app.export', 'ctrl+s', 'app.export', 'Export',
                'Export the annotations of the articles the list shows (all, or what its filters leave)'),
        ),
    ),
    KeyContext(
        'article_list',
        (
            KeyAction('list.down', 'j,down', 'move(1)', 'Down', footer=False),
            KeyAction('list.up', 'k,up', 'move(-1)', 'Up', footer=False),
            KeyAction('list.first', 'g,home', 'jump(-1)', 'First', footer=False),
            KeyAction('list.last', 'G,end', 'jump(1)', 'Last', footer=False),
            KeyAction('list.page_down', 'pagedown,space', 'page(1)', 'Page down', footer=False),
            KeyAction('list.page_up', 'pageup', 'page(-1)', 'Page up', footer=False),
            KeyAction('list.open', 'enter', 'open', 'Open', 'Open the article under the cursor'),
        ),
    ),
    KeyContext(
        'help',
        (
            KeyAction('help.close', 'escape,q,question_mark', 'dismiss', 'Close'),
            KeyAction('help.down', 'j,down', 'scroll(1)', 'Down', footer=False),
            KeyAction('help.up', 'k,up', 'scroll(-1)', 'Up', footer=False),
            KeyAction('help.page_down', 'pagedown,space', 'page(1)', 'Page down', footer=False),
            KeyAction('help.page_up', 'pageup', 'page(-1)', 'Page up', footer=False),
            KeyAction('help.top', 'g,home', 'end(False)', 'Top', footer=False),
            KeyAction('help.bottom', 'G,end', 'end(True)', 'Bottom', footer=False),
        ),
    ),
    KeyContext(
        'tags',
        (
            KeyAction('tags.passages', 'enter', 'passages', 'Passages', 'Every passage with this tag'),
            KeyAction('tags.rename', 'r', 'rename', 'Rename', 'Rename the tag (nested tags follow)'),
            KeyAction('tags.merge', 'M', 'merge', 'Merge into…', 'Move all its passages to another tag'),
            KeyAction('tags.color', 'c', 'recolor', 'Colour', "Change the tag's colour"),
            KeyAction('tags.describe', 'd', 'describe', 'Describe', "Change the tag's description"),
            KeyAction('tags.key', 'K', 'set_key', 'Key',
                "Change the tag's key (written to config.yaml with the codebook)"),
            KeyAction('tags.write_config', 'E', 'write_config', 'To config',
                "Write this codebook into config.yaml's tags: (keys kept)"),
            KeyAction('tags.load_config', 'L', 'load_config', 'From config',
                "Apply config.yaml's tags again (colours and descriptions)", footer=False),
            KeyAction('tags.undo', 'u', 'app.undo', 'Undo', 'Undo the last change (of any screen)'),
            KeyAction('tags.redo', 'ctrl+r', 'app.redo', 'Redo', 'Redo the last undone change', footer=False),
            KeyAction('tags.down', 'j', 'move(1)', 'Down', 'Next tag', footer=False),
            KeyAction('tags.up', 'k', 'move(-1)', 'Up', 'Previous tag', footer=False),
            KeyAction('tags.back', 'q,escape', 'back', 'Back', 'Back to the list'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'tag_passages',
        (
            KeyAction('passages.source', 'S', 'filter_source', 'Source', 'Only passages from one source'),
            KeyAction('passages.dates', 'D', 'filter_dates', 'Dates', 'Only articles published in a date range'),
            KeyAction('passages.annotator', 'a', 'filter_annotator', 'Annotator', "Only one annotator's passages"),
            KeyAction('passages.clear', 'c', 'clear_filters', 'Clear', 'Clear the filters'),
            KeyAction('passages.export', 'ctrl+s', 'export', 'Export', 'Write the listed passages to a CSV file'),
            KeyAction('passages.back', 'q,escape', 'back', 'Back', 'Back'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'paged_list',
        (
            KeyAction('rows.down', 'j,down', 'move(1)', 'Down', 'Next row', footer=False),
            KeyAction('rows.up', 'k,up', 'move(-1)', 'Up', 'Previous row', footer=False),
            KeyAction('rows.first', 'g,home', 'jump(-1)', 'First', 'First row', footer=False),
            KeyAction('rows.last', 'G,end', 'jump(1)', 'Last', 'Last row', footer=False),
            KeyAction('rows.page_down', 'pagedown,space', 'page(1)', 'Page down', 'A page down', footer=False),
            KeyAction('rows.page_up', 'pageup', 'page(-1)', 'Page up', 'A page up', footer=False),
            KeyAction('rows.open', 'enter', 'choose', 'Open', 'Open the row under the cursor'),
        ),
    ),
    KeyContext(
        'agreement',
        (
            KeyAction('agreement.compare', 'w', 'compare', 'Side by side',
                "The disagreement's article with both annotators' passages side by side"),
            KeyAction('agreement.annotators', 'a', 'annotators', 'Annotators', 'Choose whom to compare (two or more)'),
            KeyAction('agreement.level', 'l', 'toggle_level', 'Chars/tokens',
                'Kappa and alpha over characters or over tokens'),
            KeyAction('agreement.switch', 'tab', 'switch', 'Table/list',
                'Move between the numbers and the disagreement list'),
            KeyAction('agreement.adjudicate', 'd', 'adjudicate', 'Adjudicate',
                "Settle the pair's disagreements into the gold layer, passage by passage"),
            KeyAction('agreement.against_gold', 'v', 'toggle_against_gold', 'vs gold',
                'Each annotator against the gold layer (P, R, F1, kappa), or every pair again'),
            KeyAction('agreement.back', 'q,escape', 'back', 'Back', 'Back'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'adjudicate',
        (
            KeyAction('adjudicate.a', 'a', "adopt('a')", "A's", "Adopt A's version of the passage into gold"),
            KeyAction('adjudicate.b', 'b', "adopt('b')", "B's", "Adopt B's version of the passage into gold"),
            KeyAction('adjudicate.both', 'plus', "adopt('both')", 'Both', 'Adopt both versions into gold'),
            KeyAction('adjudicate.edit', 'e', 'edit', 'Edit',
                "Open the article at the passage: select a span and press a tag's key (or t) to write gold's version"),
            KeyAction('adjudicate.agreed', 'A', 'accept_agreed', 'Accept agreed',
                'Adopt every passage both coders tagged alike into gold (asks first)'),
            KeyAction('adjudicate.undo', 'u', 'app.undo', 'Undo', 'Undo the last change (of any screen)'),
            KeyAction('adjudicate.redo', 'ctrl+r', 'app.redo', 'Redo', 'Redo the last undone change', footer=False),
            KeyAction('adjudicate.back', 'q,escape', 'back', 'Back', 'Back'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'agreement_table',
        (
            KeyAction('agreement.table_down', 'j', 'cursor_down', 'Down', 'Next row of the numbers', footer=False),
            KeyAction('agreement.table_up', 'k', 'cursor_up', 'Up', 'Previous row of the numbers', footer=False),
        ),
    ),
    KeyContext(
        'entity',
        (
            KeyAction('entity.next_pane', 'tab', 'pane(1)', 'Next pane',
                'Move to the next pane: mentions, entities found with it, tags'),
            KeyAction('entity.previous_pane', 'shift+tab', 'pane(-1)', 'Previous pane',
                'Move to the previous pane', footer=False),
            KeyAction('entity.toggle_list', 'a', 'toggle_list', 'Articles/mentions',
                'List the articles that mention it, or every mention in context'),
            KeyAction('entity.back', 'q,escape', 'back', 'Back', 'Back to where you came from'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'entity_picker',
        (
            KeyAction('entity_picker.choose', 'enter', 'choose', 'Choose',
                'Choose the highlighted entity', priority=True),
            KeyAction('entity_picker.cancel', 'escape', 'cancel', 'Cancel', 'Close without choosing'),
            KeyAction('entity_picker.down', 'down,ctrl+n', 'move(1)', 'Down', 'Highlight the next entity', footer=False),
            KeyAction('entity_picker.up', 'up,ctrl+p', 'move(-1)', 'Up', 'Highlight the previous entity', footer=False),
        ),
    ),
    KeyContext(
        'charts',
        (
            KeyAction('charts.view_source', '1', 'view(1)', 'Per source', 'Tag counts per source'),
            KeyAction('charts.view_month', '2', 'view(2)', 'Per month', 'Tag counts per month'),
            KeyAction('charts.view_entities', '3', 'view(3)', 'Entities',
                'Mentions per month of chosen entities (e chooses them)'),
            KeyAction('charts.view_progress', '5', 'view(5)', 'Progress',
                "Each coder's queue done and assigned, and passages per tag (a coding study)", footer=False),
            KeyAction('charts.view_cooccurrence', '4', 'view(4)', 'Co-occurrence',
                'How often two tags are on the same passage or the same article'),
            KeyAction('charts.rows', 'b', 'pick_rows', 'Rows by',
                "View 1's rows: the sources, or the values of an article attribute (a dataset's category...)"),
            KeyAction('charts.unit', 'u', 'cycle_unit', 'Count',
                'Count passages or articles (entities: mentions or articles; co-occurrence: same passage or article)'),
            KeyAction('charts.annotator', 'a', 'filter_annotator', 'Annotator',
                "Count one annotator's work, or everyone's"),
            KeyAction('charts.tag', 't', 'filter_tag', 'Tag', 'Only one tag and the tags nested in it, or all tags'),
            KeyAction('charts.entity', 'e', 'pick_entity', 'Entity', 'Add an entity to the timeline, or take it off'),
            KeyAction('charts.clear_entities', 'x', 'clear_entities', 'No entities',
                'Take every entity off the timeline', footer=False),
            KeyAction('charts.back', 'q,escape', 'back', 'Back', 'Back to the list'),
            KeyAction('app.help', 'question_mark', 'app.help', 'Keys', 'Show every key'),
        ),
    ),
    KeyContext(
        'heat_table',
        (
            KeyAction('charts.table.down', 'j', 'cursor_down', 'Down', 'Next row', footer=False),
            KeyAction('charts.table.up', 'k', 'cursor_up', 'Up', 'Previous row', footer=False),
            KeyAction('charts.table.left', 'h', 'cursor_left', 'Left', 'Previous column', footer=False),
            KeyAction('charts.table.right', 'l', 'cursor_right', 'Right', 'Next column', footer=False),
            KeyAction('charts.table.first', 'g', 'scroll_top', 'First', 'First row', footer=False),
            KeyAction('charts.table.last', 'G', 'scroll_bottom', 'Last', 'Last row', footer=False),
        ),
    ),
    KeyContext(
        'compare',
        (
            KeyAction('compare.back', 'q,escape', 'app.pop_screen', 'Back', 'Back to the article'),
            KeyAction('compare.other', 'tab', 'focus_next', 'Other side', "Move to the other annotator's side"),
        ),
        remappable=False,
    ),
    KeyContext(
        'picker',
        (
            KeyAction('picker.choose', 'enter', 'choose', 'Choose', 'Choose the highlighted name', priority=True),
            KeyAction('picker.cancel', 'escape', 'cancel', 'Cancel', 'Close without choosing'),
            KeyAction('picker.down', 'down,ctrl+n', 'move(1)', 'Down', 'Highlight the next name', footer=False),
            KeyAction('picker.up', 'up,ctrl+p', 'move(-1)', 'Up', 'Highlight the previous name', footer=False),
            KeyAction('picker.page_down', 'pagedown', 'page(1)', 'Page down',
                'Highlight a page further down', footer=False),
            KeyAction('picker.page_up', 'pageup', 'page(-1)', 'Page up', 'Highlight a page further up', footer=False),
        ),
        remappable=False,
    ),
    KeyContext(
        'checklist',
        (
            KeyAction('checklist.apply', 'enter', 'done', 'Apply', 'Close and apply the ticked values', priority=True),
            KeyAction('checklist.cancel', 'escape', 'cancel', 'Cancel', 'Close without changing anything'),
            KeyAction('checklist.all', 'a', 'select_all', 'All', 'Tick every value'),
            KeyAction('checklist.only', 'o', 'only_highlighted', 'Only this', 'Tick only the highlighted value'),
            KeyAction('checklist.down', 'j', 'move(1)', 'Down', 'Highlight the next value', footer=False),
            KeyAction('checklist.up', 'k', 'move(-1)', 'Up', 'Highlight the previous value', footer=False),
        ),
        remappable=False,
    ),
    KeyContext(
        'orphans',
        (
            KeyAction('orphans.close', 'escape', 'cancel', 'Close', 'Close the list'),
            KeyAction('orphans.delete', 'x', 'delete', 'Delete', 'Delete the highlighted orphan for good'),
            KeyAction('orphans.down', 'j', 'move(1)', 'Down', 'Next orphan', footer=False),
            KeyAction('orphans.up', 'k', 'move(-1)', 'Up', 'Previous orphan', footer=False),
        ),
        remappable=False,
    ),
    KeyContext(
        'prompt',
        (
            KeyAction('prompt.cancel', 'escape', 'cancel', 'Cancel', 'Close without changing anything'),
        ),
        remappable=False,
    ),
    KeyContext(
        'note_editor',
        (
            KeyAction('note.save', 'escape', 'save', 'Save', 'Close and save the note'),
            KeyAction('note.save_key', 'ctrl+s', 'save', 'Save', 'Close and save the note'),
            KeyAction('note.discard', 'ctrl+d', 'discard', 'Discard edits',
                'Close and keep the note as it was before', priority=True),
            KeyAction('note.external', 'ctrl+o', 'external_editor', 'In $EDITOR',
                'Write the note in your $VISUAL or $EDITOR; saved when the editor exits', priority=True),
        ),
        remappable=False,
    ),
    KeyContext(
        'remove',
        (
            KeyAction('remove.keep', 'y,enter', "answer('orphans')", 'Remove', 'Remove, the annotations kept as orphans',
                priority=True),
            KeyAction('remove.delete', 'd', "answer('delete')", 'Delete annotations',
                'Remove and delete the annotations (asked again)'),
            KeyAction('remove.no', 'n,escape,q', 'answer(None)', 'Keep'),
        ),
        remappable=False,
    ),
    KeyContext(
        'details_editor',
        (
            KeyAction('details.save', 'ctrl+s', 'save', 'Save', 'Save the corrected details', priority=True),
            KeyAction('details.cancel', 'escape', 'cancel', 'Cancel', 'Close without changing anything'),
        ),
        remappable=False,
    ),
    KeyContext(
        'confirm',
        (
            KeyAction('confirm.yes', 'y,enter', 'answer(True)', 'Yes', priority=True),
            KeyAction('confirm.no', 'n,escape,q', 'answer(False)', 'No'),
        ),
        remappable=False,
    ),
)}

#: Every screen that takes keys, by its own context (a widget's context may serve several
#: screens: the paged list).
SCREENS: dict[str, ScreenKeys] = {screen.context: screen for screen in (
    ScreenKeys("article", "Article", widgets=("article_view",), palette_widget="article_view", tag_keys=True),
    ScreenKeys("list", "Article list", widgets=("article_list",), palette_widget="article_list"),
    ScreenKeys("help", "Keys"),
    ScreenKeys("tags", "Codebook (tags)"),
    ScreenKeys("tag_passages", "Passages of a tag", widgets=("paged_list",)),
    ScreenKeys("agreement", "Agreement between annotators", widgets=("agreement_table", "paged_list")),
    ScreenKeys("adjudicate", "Adjudication into gold", widgets=("paged_list",)),
    ScreenKeys("entity", "Entity", widgets=("paged_list",)),
    ScreenKeys("entity_picker", "Find an entity"),
    ScreenKeys("charts", "Charts", widgets=("heat_table",)),
    ScreenKeys("compare", "Two annotators side by side"),
    ScreenKeys("picker", "Pick one"),
    ScreenKeys("checklist", "Tick some"),
    ScreenKeys("orphans", "Orphans"),
    ScreenKeys("prompt", "Type a value"),
    ScreenKeys("note_editor", "Note"),
    ScreenKeys("details_editor", "Article details"),
    ScreenKeys("confirm", "Answer yes or no"),
    ScreenKeys("remove", "Remove articles"),
)}
# The article's side panel (side_panel) takes j and k only while it has the focus; its keys
# are fixed, so no screen lists it among the widgets a keymap is checked against.

#: The screens whose keys a tag's key may not be: the article, where tag keys tag, and the
#: list, so that a key means one thing on the two screens people read in.
TAG_KEYS_AVOID = ("article", "list")

#: Keys a tag may not take although no reader action above is bound to them: Textual's own
#: (tab moves the focus, ctrl+c copies, ctrl+p opens the command palette), `space` as the word
#: (the character is reserved through its binding), and keys kept free for reader since its
#: first version (`:`, `V`; `J`, `K` and `ctrl+s`, kept the same way, are bound now).
RESERVED_UNBOUND = frozenset({"tab", "ctrl+c", "ctrl+p", "space", ":", "V"})

#: Textual's names of the characters reader binds by name: a tag's key is written as the
#: character (a test checks these against Textual's own table).
CHARACTER_NAMES = {
    "space": " ",
    "slash": "/",
    "question_mark": "?",
    "colon": ":",
    "left_parenthesis": "(",
    "right_parenthesis": ")",
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def split_keys(keys: str) -> list[str]:
    """The key names of a comma-separated binding ("j, down" -> ["j", "down"])."""
    return [key.strip() for key in keys.split(",")]


def screen_contexts(screen: ScreenKeys) -> tuple[str, ...]:
    """Every context whose keys work on `screen`: its widgets', its own, the app's."""
    return (*screen.widgets, screen.context, APP)


def key_groups() -> list[tuple[str, ...]]:
    """Contexts whose keys are live together, for checking a keymap: a key may do only one
    thing within a group. One group per focusable widget of each remappable screen."""
    groups = []
    for screen in SCREENS.values():
        if not CONTEXTS[screen.context].remappable:
            continue
        widgets = [widget for widget in screen.widgets if CONTEXTS[widget].remappable]
        for widget in widgets or [None]:
            groups.append(tuple(name for name in (widget, screen.context, APP) if name is not None))
    return groups


def remappable_ids() -> set[str]:
    """Every id config.yaml's `keymap:` may name."""
    return {action.id for context in CONTEXTS.values() if context.remappable for action in context.actions}


def keymap_problem(keymap: dict[str, str]) -> str | None:
    """Why `keymap` (config.yaml's `keymap:`) cannot be used, or None when it can: an id no
    remappable action has, or a key that another action live at the same time keeps (the
    remapped action would never see it)."""
    unknown = sorted(set(keymap) - remappable_ids())
    if unknown:
        return f"no action has the id {unknown[0]!r} (the help screen, ?, lists every id)"
    for group in key_groups():
        taken: dict[str, str] = {}
        for action in (action for name in group for action in CONTEXTS[name].actions):
            for key in split_keys(keymap.get(action.id, action.keys)):
                other = taken.setdefault(key, action.id)
                if other != action.id and (action.id in keymap or other in keymap):
                    return f"key {key!r} would do both {other!r} and {action.id!r}"
    return None


def reserved_keys() -> frozenset[str]:
    """The keys a tag may not take, as config.yaml writes them: every key bound on the
    screens of TAG_KEYS_AVOID and RESERVED_UNBOUND, both as the character and by Textual's
    name for it ("/" and "slash": either, given as a tag's key, would take the bound key)."""
    keys = {
        key
        for screen in TAG_KEYS_AVOID
        for context in screen_contexts(SCREENS[screen])
        for action in CONTEXTS[context].actions
        for key in split_keys(action.keys)
    } | set(RESERVED_UNBOUND)
    names = {name for name, character in CHARACTER_NAMES.items() if character in keys or name in keys}
    return frozenset({CHARACTER_NAMES.get(key, key) for key in keys} | names)
