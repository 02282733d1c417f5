"""The Textual application: the workspace its screens share, every move from one screen to
another (screens call these methods and never import one another), the help and the palette.

It opens no database itself; the caller hands it an open `Store` and closes it afterwards.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from textual import work
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES
from textual.worker import WorkerFailed, get_current_worker

from reader.core.config import Config
from reader.core.keys import CONTEXTS, split_keys
from reader.core.entities import LazyRecogniser, Recogniser, engine_key, lazy_recogniser

from reader.core.model import Entity
from reader.services.entity_fill import fill_cache
from reader.services.export import write_export
from reader.services.history import History, Replayed
from reader.store.entity_index import find_entity
from reader.core.model import ExportFilter
from reader.store import StaleWriteError, Store, StoreWriteError, database_error_reason
from reader.tui.format import plural, short_path, short_quote
from reader.tui.keys import binding_rows, bindings_for, context_of, help_sections, key_label, keys_of, palette_targets
from reader.tui.messages import DatabaseChanged
from reader.services.adjudication import Curating
from reader.tui.screens.adjudicate import AdjudicateScreen
from reader.tui.screens.agreement import AgreementScreen
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.article_list import ArticleListScreen
from reader.tui.screens.charts import ChartsScreen
from reader.tui.screens.compare import CompareScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.entity import EntityPicker, EntityScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.tags import TagPassagesScreen, TagsScreen
from reader.tui.remembered import RememberedTheme, read_theme, write_theme
from reader.tui.workspace import Workspace
from reader.tui.wrap import display_text


def theme_problem(theme: str) -> str | None:
    """Why `theme` cannot be used, or None when it can."""
    if theme in BUILTIN_THEMES:
        return None
    return f"unknown theme {theme!r} (choose one of: {', '.join(sorted(BUILTIN_THEMES))})"


def url_problem(url: str | None) -> str | None:
    """Why an article's web address is not opened in a browser, or None when it may be: only
    an http or https address with a host, with no spaces or control or bidi characters."""
    if not url:
        return "This article has no web address (the file it came from gave none)."
    shown = short_quote(url, 60)
    if any(character.isspace() or unicodedata.category(character).startswith("C") for character in url):
        return f"Not opened: the web address “{shown}” holds spaces or control characters."
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"Not opened: “{shown}” is not an http or https address."
    return None


#: Work that stops when reader quits, by worker group: what `q` asks about first (ctrl+q never asks).
QUIT_ASKS_ABOUT = {
    "entity-cache": "the entities of your articles are still being found (that carries on where it stopped next time)",
    "agreement": "agreement between annotators is still being computed",
    "charts": "a chart is still being counted",
}


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    KEY_CONTEXT = "app"
    BINDINGS = bindings_for(KEY_CONTEXT)

    #: Whether the app recognises the entities of every article in the background, so that
    #: any article opens with them at once (tests turn it off to keep their timing their own).
    FILL_ENTITY_CACHE = True

    def __init__(
        self, config: Config, store: Store, recogniser: Recogniser | None = None, *, state_path: Path | None = None,
        adjudicate: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        #: `reader adjudicate A B`: the two coders whose disagreements open first.
        self.adjudicate = adjudicate
        self.store = store
        # who is at the keyboard, and whose work they may see (a blind study: their own)
        store.study.configure(config.annotator, config.study.blind, config.study.lead)
        #: Where the theme chosen from the palette is remembered (None: not remembered, as in tests).
        self.state_path = state_path
        self._remember_theme = False
        #: What ended the app when the database failed under it (damaged: one line naming it).
        self.database_problem: str | None = None
        self.workspace = Workspace(
            config=config,
            store=store,
            recogniser=recogniser or lazy_recogniser(config.entities.gazetteer),  # tests; the command line passes one
            history=History(store),
        )
        self.workspace.reload_codebook()

    @property
    def config(self) -> Config:
        """The configuration in force (the Tags screen may replace it during a session)."""
        return self.workspace.config

    #: How often the app looks for changes other programs made to the database.
    WATCH_SECONDS = 1.0

    def on_mount(self) -> None:
        self.theme = self._starting_theme()
        self._remember_theme = True
        self.set_keymap(self.config.keymap)
        self.push_screen(ArticleListScreen(self.workspace))
        if self.adjudicate is not None:
            self.open_adjudicate(*self.adjudicate)
        self._seen_version = self.store.data_version()
        self.set_interval(self.WATCH_SECONDS, self._watch_database)
        if self.store.read_only:
            self.sub_title = "read-only"
            self.notify(
                f"{short_path(self.store.path)} cannot be written: you can read, search and export, "
                "and nothing you change will be saved.",
                title="Read-only database", severity="warning", timeout=30, markup=False,
            )
        elif self.FILL_ENTITY_CACHE and self.config.entities.show and self.store.path is not None:
            self.call_after_refresh(self._fill_entity_cache)

    def _starting_theme(self) -> str:
        """config.yaml's theme, unless one was chosen from the palette since config.yaml last
        named it; a remembered theme that cannot be used is ignored, said in one line."""
        configured = self.config.theme
        if self.state_path is None:
            return configured
        remembered, problem = read_theme(self.state_path)
        if problem:
            self.notify(problem, title="Theme not remembered", severity="warning")
        if remembered is None or remembered.config_theme != configured:
            return configured
        if remembered.theme not in self.available_themes:
            self.notify(f"{self.state_path}: theme {remembered.theme!r} is not one reader knows; the theme is config.yaml's",
                        title="Theme not remembered", severity="warning")
            return configured
        return remembered.theme

    def watch_theme(self, theme: str) -> None:
        """Remember a theme chosen during the session (from the palette) for the next start."""
        if not self._remember_theme or self.state_path is None:
            return
        problem = write_theme(self.state_path, RememberedTheme(theme, self.config.theme))
        if problem:
            self.notify(f"The theme will not be remembered: {problem}", severity="warning")

    def action_quit_or_ask(self) -> None:
        """q in the list: quit at once, unless work the user would lose is running (then ask)."""
        busy = [QUIT_ASKS_ABOUT[worker.group] for worker in self.workers
                if worker.is_running and worker.group in QUIT_ASKS_ABOUT]
        if not busy:
            self.exit()
            return
        question = f"Quit reader? {busy[0][0].upper()}{busy[0][1:]}."
        self.push_screen(ConfirmScreen(question), lambda yes: bool(yes) and self.exit())

    def action_command_palette(self) -> None:
        """ctrl+p opens the palette, but for dialogs that move with it (the pickers' ctrl+n / ctrl+p)."""
        context = context_of(self.screen)
        if context in CONTEXTS and any("ctrl+p" in split_keys(action.keys) for action in CONTEXTS[context].actions):
            raise SkipAction()
        super().action_command_palette()

    def open_article_url(self, url: str | None) -> None:
        """Open an article's web address in the browser, if it is a plain http(s) address."""
        problem = url_problem(url)
        if problem is not None:
            self.notify(problem, severity="warning")
            return
        assert url is not None
        self.open_url(url)
        self.notify(f"Opened {short_quote(url, 60)} in your browser.", timeout=4)

    def open_neighbour(self, step: int) -> None:
        """J / K on an article opened from the list: the next / previous article of the list
        (its order, search and filters) in place of this one."""
        stack = self.screen_stack
        article = self.screen
        below = stack[-2] if len(stack) >= 2 else None
        if not isinstance(article, ArticleScreen) or not isinstance(below, ArticleListScreen):
            self.notify("J and K go through the article list: this article was not opened from it (q goes back).")
            return
        found = below.neighbour(article.article.id, step)
        if isinstance(found, str):
            self.notify(found)
            return
        self.switch_screen(ArticleScreen(self.workspace, found, search=below.query_state.search))

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notification, from any screen: names, quotes and titles in it came from outside
        (imported files, other programs), so it is shown as plain text, control and bidi
        characters made visible, never as markup."""
        super().notify(display_text(message), title=display_text(title), severity=severity, timeout=timeout, markup=False)

    def confirm(self, message: str, title: str = "") -> None:
        """Say something done (undone, exported...): in the screen's status line if it has
        one (a `say` method), else as a notification."""
        say = getattr(self.screen, "say", None)
        if say is not None:
            say(message, title)
        else:
            self.notify(message, title=title)

    # ---- moving between screens: the one place that knows the screen classes -----------------

    def open_article(self, article_id: int, *, at: int | None = None, search: str | None = None) -> None:
        """Show an article: the cursor at offset `at`, else at the first hit of `search`, else
        where the reader left off."""
        self.push_screen(ArticleScreen(self.workspace, article_id, search=search, at=at))

    def open_article_curating(self, article_id: int, at: int, curating: Curating) -> None:
        """Show an article where keys write the gold layer's annotations (from adjudication)."""
        self.push_screen(ArticleScreen(self.workspace, article_id, at=at, curating=curating))

    def ask_yes_no(self, question: str, then: Callable[[], object]) -> None:
        """Ask `question`; `then` runs on yes (a refused write reported as not saved)."""
        self.push_screen(ConfirmScreen(question), self.saving(lambda yes: bool(yes) and then()))

    def open_adjudicate(self, a: str, b: str) -> None:
        """Walk the disagreements of coders `a` and `b` into the gold layer."""
        self.push_screen(AdjudicateScreen(self.workspace, a, b))

    def remove_articles(self, article_ids, heading: str, done: Callable[..., object]) -> None:
        """Ask (a box saying how many articles and annotations would go) and remove the articles:
        annotations kept as orphans, or deleted on a second yes; `done` gets what was removed."""
        from reader.tui.removing import ask_and_remove

        ask_and_remove(self, article_ids, heading, done)

    def open_compare(self, article_id: int, left: str, right: str) -> None:
        """Show an article twice, side by side: `left`'s annotations and `right`'s."""
        refused = self.store.study.refusal("The side-by-side view")
        if refused:
            self.notify(refused, title="Blind study", severity="warning", markup=False)
            return
        self.push_screen(CompareScreen(self.workspace, article_id, left, right))

    def open_entity(
        self, surface: str, label: str, article_id: int | None = None, start: int | None = None
    ) -> EntityScreen | None:
        """Show the entity `surface` names as `label` (any surface of it); with `article_id` and
        `start` (a mention's place), the entity indexed there, so a bare surname opens the person
        it stands for. Says so and returns None when the index has no such entity."""
        workspace = self.workspace
        entity = find_entity(workspace.store, surface, label, article_id, start)
        if entity is None:
            self.notify(
                f"“{short_quote(surface, 40)}” ({label}) is not in the entity index yet: articles are "
                "indexed as their entities are found, in the background.",
                markup=False,
            )
            return None
        return self.show_entity(entity)

    def show_entity(self, entity: Entity) -> EntityScreen:
        """Show one entity across the corpus."""
        screen = EntityScreen(self.workspace, entity)
        self.push_screen(screen)
        return screen

    def ask_entity(self, then: Callable[[Entity | None], object], *, label: str | None = None,
                   title: str | None = None, chosen: Iterable[int] = (), does: str = "opens") -> None:
        """Ask for an entity by name (of type `label`, if given) and hand it, or None, to `then`."""
        self.push_screen(EntityPicker(self.workspace, label, title=title, chosen=chosen, does=does), then)

    def pick_entity(self, label: str | None = None) -> None:
        """Ask for an entity by name, then show it."""
        self.ask_entity(lambda entity: entity is not None and self.show_entity(entity), label=label)

    def open_tags(self, then: Callable[[object], object] | None = None) -> None:
        """Show the codebook; `then` runs when it closes."""
        self.push_screen(TagsScreen(self.workspace), then)

    def open_tag_passages(self, tag: str) -> None:
        """Show every passage with `tag` (and the tags nested in it)."""
        self.push_screen(TagPassagesScreen(self.workspace, tag))

    def edit_details(self, article_id: int, then: Callable[[], object]) -> None:
        """The form correcting the article's title, date, source and attributes (ctrl+e); `then`
        runs after a correction is saved."""
        from reader.tui.screens.details import edit_details

        edit_details(self.screen, self.workspace, article_id, then)

    def open_charts(self) -> None:
        self.push_screen(ChartsScreen(self.workspace))

    def open_agreement(self) -> None:
        refused = self.store.study.refusal("Agreement")
        if refused:
            self.notify(refused, title="Blind study", severity="warning", markup=False)
            return
        self.push_screen(AgreementScreen(self.workspace))

    # ---- changes made elsewhere ------------------------------------------------------------

    def _watch_database(self) -> None:
        """Another connection committed (another reader, an import, the background recognition):
        tell the screen on top, which compares what it shows with the database."""
        version = self.store.data_version()
        if version != self._seen_version:
            self._seen_version = version
            self.database_changed()

    def database_changed(self, replayed: Replayed | None = None) -> None:
        """Read the codebook again and have the screen on top check what it shows."""
        self.workspace.reload_codebook()
        self.screen.post_message(DatabaseChanged(replayed))

    # ---- undo and redo, from any screen ----------------------------------------------------

    def action_undo(self) -> None:
        self._replay(self.workspace.history.undo(), "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._replay(self.workspace.history.redo(), "Redone", "Nothing to redo.")

    def _replay(self, replayed: Replayed | None, title: str, nothing: str) -> None:
        """Say what an undo or redo did, and have the screen show the database as it is now."""
        if replayed is None:
            self.notify(nothing)
            return
        change = replayed.change
        where = ""
        if change.article_id and not (isinstance(self.screen, ArticleScreen) and self.screen.article.id == change.article_id):
            where = f" in “{short_quote(self.store.articles.get(change.article_id).title, 32)}”"
        if replayed.where == "orphan" and change.kind not in ("reattach", "delete_orphan"):
            where += " (its article's text changed meanwhile and it has no place in it now: kept as an orphan, O)"
        self.confirm(f"{change.describe()}{where}", title=title)
        self.database_changed(replayed)

    # ---- changes the database refuses ------------------------------------------------------

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key's action, with a change the database refuses (read-only, disk full)
        reported as not saved instead of ending the app."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except StoreWriteError as error:
            self.report_unsaved(error)
            return True

    def saving(self, callback: Callable[..., object]) -> Callable[..., object]:
        """`callback` (a dialog's result handler that writes) with a refused change reported
        as not saved, as for key actions."""

        def reporting(*args: object) -> object:
            try:
                return callback(*args)
            except StoreWriteError as error:
                self.report_unsaved(error)
                return None

        return reporting

    def _handle_exception(self, error: Exception) -> None:
        """A damaged database met anywhere (a screen, a worker) ends the app with exit code 1 and
        `database_problem` set, for the command to print as one line, not a traceback."""
        cause = error.error if isinstance(error, WorkerFailed) else error
        if not isinstance(cause, sqlite3.DatabaseError):
            return super()._handle_exception(error)
        where = self.store.path if self.store.path is not None else "the database"
        if self.database_problem is None:
            self.database_problem = f"{where}: {database_error_reason(cause)}"
        self.exit(return_code=1)

    def report_unsaved(self, error: StoreWriteError) -> None:
        """Tell the user exactly which change was not saved, and why; a change refused as made
        against an older view has the screen show the database as it is now."""
        if isinstance(error, StaleWriteError):
            hint = "The screen now shows what is saved: look, then do it again if it still applies."
        else:
            hint = {
                "the database is read-only": "Make the file writable and open reader again.",
                "the disk is full": "Free some space and do it again; everything saved before is safe.",
            }.get(error.reason, "Everything saved before is safe; try again.")
        where = short_path(error.path) if error.path is not None else "the database"
        self.notify(
            display_text(f"Not saved: {error.action}. {where}: {error.reason}. {hint}"),
            title="Not saved", severity="error", timeout=20, markup=False,
        )
        if isinstance(error, StaleWriteError):
            self.database_changed()

    @work(thread=True, exclusive=True, group="entity-cache", exit_on_error=False)
    def _fill_entity_cache(self) -> None:
        """Recognise the entities of every article not yet cached, in this thread and with a
        connection of its own, pausing between articles so the interface stays quick."""
        worker = get_current_worker()
        recogniser = self.workspace.recogniser
        if isinstance(recogniser, LazyRecogniser):
            recogniser = recogniser.get()
        engine = engine_key(recogniser, self.config.entities.gazetteer)
        try:
            store = Store.open(self.store.path)
            try:
                fill_cache(store, recogniser, engine, should_stop=lambda: worker.is_cancelled, pause=0.002)
            finally:
                store.close()
        except Exception as error:  # the cache is an optimisation: say so once, and carry on
            self.call_from_thread(
                self.notify, f"Entities are found as articles open ({error}).", title="Background recognition stopped",
                severity="warning", markup=False,
            )

    def action_export(self) -> None:
        """Export what the list shows: every annotation, or, with a search or filters in
        force, those of the articles they select."""
        path = self.config.export_file
        listed = next(
            (screen.query_state for screen in reversed(self.screen_stack) if isinstance(screen, ArticleListScreen)), None
        )
        described = listed.describe() if listed is not None else ""
        only = ExportFilter(listed=listed) if described else None
        try:
            count = write_export(self.store, path, only)
        except OSError as error:
            self.notify(f"{path}: {error.strerror or error}", title="Export failed", severity="error", markup=False)
            return
        scope = f" ({described})" if described else ""
        self.confirm(f"{plural(count, 'annotation')}{scope} written to {short_path(path)}", title="Exported")

    # ---- help and the command palette ------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """The help's sections for the screen on top, then the keys that work everywhere."""
        keymap = self.config.keymap
        sections = help_sections(self.screen, keymap, self.workspace.codebook)
        palette = (key_label(self.COMMAND_PALETTE_BINDING), "Command palette", "")
        sections.append(("Everywhere", binding_rows(self.BINDINGS, keymap) + [palette]))
        return sections

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the screen the palette was opened on, with its keys, then what the
        screen offers besides (tags, entity types, sort orders, filters), then the themes and
        Textual's own."""
        keymap = self.config.keymap
        for target, bindings in palette_targets(screen):
            for binding in bindings:
                title = binding.tooltip or binding.description
                yield SystemCommand(title, f"key: {keys_of(binding, keymap)}", partial(target.run_action, binding.action))
        offered = getattr(screen, "palette_commands", None)  # the article's tags, the list's filters...
        if offered is not None:
            yield from offered()
        for theme in sorted(BUILTIN_THEMES):
            yield SystemCommand(f"Theme: {theme}", "change the colours", partial(setattr, self, "theme", theme), False)
        yield from super().get_system_commands(screen)
