"""`article-qa serve | ingest | parse | search`: a thin shell over the library and the API.

Exit codes: 0 success, 1 a file was skipped or could not be read, 2 bad usage or settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from app import __version__
from app.api import create_app
from app.backup import backup_lines, is_backup
from app.config import LogLevel, Settings, configure_logging, environment_of
from app.errors import ArticleQAError, StoreDamaged, StoreReadOnly, UnreadableSource
from app.ingest import IngestSummary, ingest_paths, restore_backup, sync_folder
from app.memory import keep_memory_flat
from app.models import SearchResults, SourceFormat
from app.rebuild import rebuild_store
from app.search.settings import SearchSettings, SearchSettingsError, load_search_settings
from app.store import SearchRequest, open_store

USAGE_ERROR = 2
# What each worker of `serve --workers N` runs (N > 1): uvicorn imports it by this name.
WORKER_APP = "app.api.app:create_app_from_environment"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-qa",
        description="Serve question-headed articles as an API, one question at a time.",
        epilog="Settings flags can also be set as ARTICLE_QA_<NAME> environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="sync <data-dir>/articles, then serve the HTTP API")
    serve.add_argument("--host", help="interface to listen on (ARTICLE_QA_HOST; 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (ARTICLE_QA_PORT; 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes; one of them syncs and watches (ARTICLE_QA_WORKERS; 1)",
    )
    _add_store_flags(serve)
    _add_search_settings_flag(serve)
    serve.add_argument(
        "--log-level", choices=get_args(LogLevel), help="log level (ARTICLE_QA_LOG_LEVEL; info)"
    )
    serve.add_argument(
        "--no-sync",
        dest="ingest_on_start",
        action="store_const",
        const=False,
        help="serve the store as it is (ARTICLE_QA_INGEST_ON_START=false)",
    )
    serve.add_argument(
        "--no-watch",
        dest="watch",
        action="store_const",
        const=False,
        help="do not apply changes to <data-dir>/articles while serving (ARTICLE_QA_WATCH=false)",
    )

    ingest = commands.add_parser("ingest", help="add or update articles from files and folders")
    ingest.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders; none = sync <data-dir>/articles, removing deleted files",
    )
    _add_store_flags(ingest)
    ingest.add_argument(
        "--prune", action="store_true", help="also remove stored articles not found in PATHs"
    )

    rebuild = commands.add_parser(
        "rebuild", help="make the store again from the articles folder, keeping its history"
    )
    _add_store_flags(rebuild)
    rebuild.add_argument(
        "--from",
        dest="backup",
        type=Path,
        metavar="BACKUP",
        help="a backup made by `export`: articles written over HTTP and history it holds",
    )

    export = commands.add_parser("export", help="write a backup: one JSON line per article")
    _add_store_flags(export)
    export.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write it (default: standard output)",
    )

    parse = commands.add_parser("parse", help="print the Article JSON GET /articles/{slug} serves")
    parse.add_argument("file", type=Path, metavar="FILE")
    parse.add_argument(
        "--format", choices=get_args(SourceFormat), help="reader to use (default: detect)"
    )
    parse.add_argument(
        "--explain", action="store_true", help="print the outline and why each heading was found"
    )

    commands.add_parser(
        "rules", help="print the parser's rule book: each rule, its effect, convention and limits"
    )

    search = commands.add_parser("search", help="search the store, as GET /search does")
    search.add_argument("query", metavar="QUERY")
    _add_store_flags(search)
    _add_search_settings_flag(search)
    search.add_argument("--limit", type=int, default=10, help="hits to show, 1-100 (default 10)")
    search.add_argument("--json", action="store_true", help="print the JSON GET /search returns")
    return parser


def _add_store_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, help="folder holding articles/ (ARTICLE_QA_DATA_DIR; data)"
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite file (ARTICLE_QA_DB; default <data-dir>/article-qa.db)",
    )


def _add_search_settings_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--search-settings",
        type=Path,
        metavar="FILE",
        help="TOML file of synonyms, stop words, typo and highlight settings "
        "(ARTICLE_QA_SEARCH_SETTINGS; none)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """The environment's settings, with every flag the user gave taking precedence."""
    names = Settings.model_fields.keys()
    overrides: dict[str, Any] = {
        name: value for name, value in vars(args).items() if name in names and value is not None
    }
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command: str = args.command
    if command == "parse":  # needs no settings: it reads one file and prints
        return _guarded(lambda: parse(args.file, source_format=args.format, explain=args.explain))
    if command == "rules":
        return print_rules()
    try:
        settings = settings_from(args)
    except ValidationError as exc:
        print(f"article-qa: invalid settings:\n{exc}", file=sys.stderr)
        return USAGE_ERROR
    search_settings: SearchSettings | None = None
    if command in {"serve", "search"}:
        # Read before anything starts: a bad file is one clear line, never a traceback
        # (one `serve` process uses what was read here; each worker of `--workers N`, a
        # process of its own, reads the file as it starts).
        try:
            search_settings = load_search_settings(settings.search_settings)
        except SearchSettingsError as exc:
            print(f"article-qa: invalid search settings: {exc}", file=sys.stderr)
            return USAGE_ERROR
    if command == "serve":
        return _guarded(lambda: serve(settings, search_settings=search_settings))
    if command == "ingest":
        return _guarded(lambda: ingest(settings, paths=args.paths, prune=args.prune))
    if command == "rebuild":
        return _guarded(lambda: rebuild(settings, backup=args.backup))
    if command == "export":
        return _guarded(lambda: export(settings, output=args.output))
    return _guarded(
        lambda: search(
            settings,
            query=args.query,
            limit=args.limit,
            as_json=args.json,
            search_settings=search_settings,
        )
    )


def print_rules() -> int:
    """The rule names `parse --explain` and `dropped[].reason` show, with what they follow."""
    from app.parsing.rules import ALL_RULES

    for rule in ALL_RULES:
        limits = ", ".join(f"{name} {value}" for name, value in rule.limits._asdict().items())
        print(f"{rule.name:<30} {rule.effect.value:<9} {rule.convention}")
        if limits:
            print(f"{'':<40} limits: {limits}")
    return 0


def _guarded(run: Callable[[], int]) -> int:
    """Run a command; the library's own errors become one line on stderr and exit code 1."""
    try:
        return run()
    except ArticleQAError as exc:
        print(f"article-qa: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`article-qa parse ... | head`): not an error worth a trace.
        sys.stderr.close()
        return 0


def serve(settings: Settings, *, search_settings: SearchSettings | None = None) -> int:
    configure_logging(settings.log_level)
    keep_memory_flat()
    # a bad --db fails here, in one clear line
    open_store(settings.db_location, slugs=settings.slugs).close()
    several = settings.workers > 1
    if several:
        # uvicorn's workers are spawned interpreters that import the app by name: they read
        # these settings back from the environment they inherit (secrets included).
        for name, value in environment_of(settings).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    app: FastAPI | str = (
        WORKER_APP if several else create_app(settings, search_settings=search_settings)
    )
    uvicorn.run(
        app,
        factory=several,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # "on": a store that cannot be opened stops the server instead of serving 500s
        lifespan="on",
        workers=settings.workers,
        # No version banner; the app writes its own JSON access lines (app.access).
        server_header=False,
        access_log=False,
        # The app trusts X-Forwarded-* only from ARTICLE_QA_FORWARDED_ALLOW_IPS.
        proxy_headers=False,
        date_header=True,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
    )
    return 0


def ingest(settings: Settings, *, paths: list[Path], prune: bool) -> int:
    store = open_store(settings.db_location, slugs=settings.slugs)
    try:
        if store.read_only:
            raise StoreReadOnly(settings.db_location)
        backups = [path for path in paths if is_backup(path)]
        files = [path for path in paths if not is_backup(path)]
        if paths:
            # Files inside the articles folder keep the identity the server's sync gives them.
            # --prune weighs the files named: with only backups named it would remove all.
            summary = ingest_paths(
                store=store, paths=files, root=settings.articles_dir, prune=prune and bool(files)
            )
            for backup in backups:
                restored = restore_backup(store=store, path=backup)
                summary = IngestSummary(summary.reports + restored.reports)
        else:
            summary = sync_folder(store=store, folder=settings.articles_dir)
        # Writes can leave damage they did not notice: read every page before saying "ok".
        damage = store.check_integrity(full=True)
    finally:
        store.close()
    print("\n".join(summary.lines()))
    if damage is not None:
        raise StoreDamaged(damage)
    return 0 if summary.ok else 1


def rebuild(settings: Settings, *, backup: Path | None) -> int:
    if "://" in settings.db_location or settings.db_location == ":memory:":
        print("article-qa: rebuild needs a SQLite file (--db PATH)", file=sys.stderr)
        return USAGE_ERROR
    report = rebuild_store(
        db=Path(settings.db_location),
        articles_dir=settings.articles_dir,
        backup=backup,
        slugs=settings.slugs,
    )
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def export(settings: Settings, *, output: Path | None) -> int:
    store = open_store(settings.db_location, create=False, slugs=settings.slugs)
    try:
        lines = backup_lines(store=store, articles_dir=settings.articles_dir)
        if output is None:
            for line in lines:
                print(line)
        else:
            # Written aside and renamed, so a failed export never leaves half a backup.
            partial = output.with_name(f".{output.name}.partial")
            with partial.open("w", encoding="utf-8") as handle:
                for line in lines:
                    handle.write(line + "\n")
            partial.replace(output)
    finally:
        store.close()
    return 0


def parse(file: Path, *, source_format: SourceFormat | None, explain: bool) -> int:
    try:
        data = file.read_bytes()
    except OSError as exc:
        print(f"article-qa: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        from app.parsing import parse_article  # the parser's libraries: only when parsing
        from app.parsing.explain import render_outline

        parsed = parse_article(data, source=file.name, source_format=source_format)
    except UnreadableSource as exc:
        print(f"article-qa: {file}: {exc}", file=sys.stderr)
        return 1
    # model_dump_json is what the API sends, byte for byte (app.api.http.json_response)
    print(render_outline(parsed) if explain else parsed.article.model_dump_json())
    return 0


def search(
    settings: Settings,
    *,
    query: str,
    limit: int,
    as_json: bool,
    search_settings: SearchSettings | None = None,
) -> int:
    if not 1 <= limit <= 100:
        print("article-qa: --limit must be between 1 and 100", file=sys.stderr)
        return USAGE_ERROR
    store = open_store(settings.db_location, create=False, slugs=settings.slugs)
    try:
        loaded = search_settings or load_search_settings(settings.search_settings)
        results = store.search(SearchRequest(query=query, limit=limit, settings=loaded))
    finally:
        store.close()
    print(results.model_dump_json() if as_json else format_results(results))
    return 0


def format_results(results: SearchResults) -> str:
    lines = [f"{results.total} hit(s) for {results.query!r}"]
    for correction in results.corrections:
        lines.append(f"  (searched {correction.corrected!r} for {correction.original!r})")
    for hit in results.hits:
        lines.append("")
        lines.append(f"{hit.heading or hit.article_title}  [{hit.score:.2f}]")
        lines.append(f"  {hit.url}")
        lines.append(f"  {hit.text}")
    return "\n".join(lines)
