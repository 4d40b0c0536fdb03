"""The `factdesk` command: argument parsing and printing only; all work is done by Library."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

from factdesk import __version__

DB_HELP = (
    "library location: a SQLite file or a postgresql:// URL (default: $FACTDESK_DB, else ./factdesk.db)"
)
# The bundled example library sits beside src/ in a checkout (make demo installs in place).
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class CliError(Exception):
    """Printed as one line on stderr; exit status 1."""


def _library(args):
    from factdesk.library import Library

    return Library(args.db)


def _print_json(payload) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _table(rows: list[list[str]], headers: list[str]) -> None:
    """A plain aligned table (Rich would wrap long cells; plain text pipes and greps well)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- commands ------------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from factdesk.embed import enabled_by_env
    from factdesk.library import Library

    lib = Library(args.db, embedder=_embedder() if args.embeddings or enabled_by_env() else None)
    show_bar = sys.stderr.isatty() and not args.quiet

    def report(outcome) -> None:
        if outcome.status == "failed":
            print(f"failed: {outcome.origin}: {outcome.message}", file=sys.stderr)
        elif args.verbose:
            note = f" ({outcome.message})" if outcome.message else ""
            print(f"{outcome.status}: {outcome.origin} -> {outcome.source_id}{note}", file=sys.stderr)

    with lib:
        if show_bar:
            with Progress(
                TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), transient=True,
            ) as bar:
                task = bar.add_task("", total=None)

                def progress(done: int, total: int, origin: str) -> None:
                    bar.update(task, completed=done, total=total, description=_clip(origin, 40))

                summary = lib.ingest(args.targets, allow_private=args.allow_private,
                                     progress=progress, on_outcome=report)
        else:
            summary = lib.ingest(args.targets, allow_private=args.allow_private, on_outcome=report)
    print(summary.line())
    return 1 if summary.failed else 0


def _embedder():
    """The sentence embedder (factdesk.embed), or a one-line error saying how to install it."""
    from factdesk.embed import load_embedder, missing_message

    embedder = load_embedder()
    if embedder is None:
        raise CliError(missing_message())
    return embedder


def cmd_embed(args) -> int:
    import time

    began = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not args.quiet and (done % 100 == 0 or done == total):
            print(f"embed: {done}/{total} sources", file=sys.stderr)

    with _library(args) as lib:
        encoded = lib.embed(progress=progress)
        model = lib.store.vector_model() or "no model (nothing to encode)"
    print(f"embedded {encoded} sentence{'s' if encoded != 1 else ''} with {model} "
          f"in {time.perf_counter() - began:.1f} s")
    return 0


def cmd_sources(args) -> int:
    from factdesk.report.serialize import source_dict

    with _library(args) as lib:
        sources = lib.sources(with_text=False)
        if args.format == "json":
            _print_json({"sources": [source_dict(s, n) for n, s in enumerate(sources, 1)]})
            return 0
        rows = [[s.id, s.published or "", _clip(s.publisher, 20), _clip(s.title, 60)] for s in sources]
        _table(rows, ["id", "published", "publisher", "title"])
        stats = lib.stats()
        print(f"{stats['sources']} sources, {stats['sentences']} sentences, {stats['figures']} figures")
    return 0


def cmd_show(args) -> int:
    from factdesk.report.serialize import source_dict

    with _library(args) as lib:
        source = lib.source(args.source_id)
        sentences = lib.sentences(source.id)
        if args.format == "json":
            payload = source_dict(source, with_text=True)
            payload["sentences"] = [
                {"index": s.index, "start": s.start, "end": s.end, "text": s.text} for s in sentences
            ]
            _print_json(payload)
            return 0
        for key in ("id", "url", "title", "publisher", "published", "retrieved", "origin"):
            value = getattr(source, key)
            if value:
                print(f"{key}: {value}")
        if source.authors:
            print(f"authors: {', '.join(source.authors)}")
        print()
        for s in sentences:
            page = source.page_of(s.start)
            where = f"p{page} " if page else ""
            print(f"[{s.index}] {where}{s.start}-{s.end}  {s.text}")
    return 0


def _print_figures(figures, sources, fmt: str) -> None:
    from factdesk.report.serialize import figure_dict, figures_payload

    payload = figures_payload(figures, sources)
    if fmt == "json":
        _print_json(payload)
        return
    if fmt == "csv":
        fields = list(figure_dict(figures[0], 1).keys()) if figures else ["id"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in payload["figures"]:
            row = dict(row, period=json.dumps(row["period"]) if row["period"] else "",
                       hedges="; ".join(row["hedges"]))
            writer.writerow(row)
        return
    rows = [
        [
            str(f["source"]), _clip(f["surface"], 22), f["kind"], f["unit"], f["time"] or "",
            _clip(f["subject"], 40), _clip(f["attribution"], 20),
        ]
        for f in payload["figures"]
    ]
    _table(rows, ["src", "figure", "kind", "unit", "time", "subject", "said by"])
    for s in payload["sources"]:
        print(f"[{s['n']}] {s['id']}  {_clip(s['title'] or s['url'], 70)}")


def cmd_figures(args) -> int:
    with _library(args) as lib:
        figures = lib.figures(about=args.about, source=args.source, kind=args.kind)
        _print_figures(figures, lib.sources(with_text=False), args.format)
    return 0


def cmd_extract(args) -> int:
    from factdesk.library import extract_text

    if args.text in (None, "-"):
        text = sys.stdin.read()
    else:
        text = args.text
    if not text.strip():
        raise CliError("extract: no text given (pass TEXT, or - to read standard input)")
    source, figures, _ = extract_text(text, args.published)
    _print_figures(figures, [source], args.format)
    return 0


def _render(report, args) -> None:
    from factdesk.report import render

    fmt = args.format
    if fmt == "html":
        out = render.html(report)
    elif fmt == "json":
        out = json.dumps(render.as_dict(report), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "claimreview":
        if report.mode != "claim":
            raise CliError("--format claimreview is for `factdesk check`")
        out = json.dumps(render.claimreview(report), ensure_ascii=False, indent=2) + "\n"
    else:
        out = render.markdown(report)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(out)


def cmd_ask(args) -> int:
    with _library(args) as lib:
        gathered = _gather_first(lib, args, args.question, "question")
        _render(lib.ask(args.question, writer=args.writer, gathered=gathered), args)
    return 0


def cmd_check(args) -> int:
    with _library(args) as lib:
        gathered = _gather_first(lib, args, args.claim, "claim")
        _render(lib.check(args.claim, writer=args.writer, gathered=gathered), args)
    return 0


def cmd_copy(args) -> int:
    import time

    from factdesk.library import Library

    if not args.source or not args.target:
        raise CliError("give both --from LIBRARY and --to LIBRARY")
    if args.batch < 1:
        raise CliError(f"--batch must be at least 1, not {args.batch}")
    began = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"copy: {done}/{total} sources", file=sys.stderr)

    with Library(args.source) as source:
        result = source.copy_to(args.target, batch_size=args.batch, progress=progress)
    print(f"copied {result.copied} source{'s' if result.copied != 1 else ''} "
          f"({result.skipped} already there) in {time.perf_counter() - began:.1f} s")
    return 0


# ---- gather: search the web for sources -------------------------------------------------------
def cmd_gather(args) -> int:
    with _library(args) as lib:
        result = _run_gather(lib, args, args.question, "claim" if args.claim else "question")
    if args.format == "json":
        _print_json(result.notes())
    else:
        print("\n".join(result.lines()))
    return 0 if result.taken else 1


def _run_gather(lib, args, text: str, mode: str):
    return lib.gather(text, mode=mode, engine=args.engine, max_results=args.max, offline=args.offline,
                      allow_private=args.allow_private, delay=args.delay)


def _gather_first(lib, args, text: str, mode: str):
    """`--gather` on ask and check: gather's lines go to stderr so stdout stays the report."""
    if not args.gather:
        return None
    result = _run_gather(lib, args, text, mode)
    print("\n".join(result.lines()), file=sys.stderr)
    return result


def _gather_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["searxng", "brave", "bing"],
                   help="search API (default: $FACTDESK_SEARXNG_URL, else $FACTDESK_BRAVE_API_KEY, "
                   "else $FACTDESK_BING_API_KEY)")
    p.add_argument("--max", type=int, default=10, metavar="N", help="take at most N distinct sources (default 10)")
    p.add_argument("--offline", action="store_true",
                   help="rebuild from the cached searches and pages (<db>.cache or $FACTDESK_CACHE), no network")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="least time between two requests to one host (default 1; robots.txt may ask for more)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow pages on private, loopback or link-local addresses")


def cmd_demo(args) -> int:
    """Ingest the bundled example library into its own file and answer its question."""
    root = _examples_dir()
    db = args.db or str(Path.cwd() / "factdesk-demo.db")
    question = (root / "question.txt").read_text(encoding="utf-8").strip()
    # The same commands a user would type, parsed by the same parser.
    parser = build_parser()
    cmd_ingest(parser.parse_args(["ingest", str(root / "library"), "--db", db, "--quiet"]))
    print(f"\nquestion: {question}\n", file=sys.stderr)
    ask = ["ask", question, "--db", db, "--format", args.format] + (["-o", args.output] if args.output else [])
    cmd_ask(parser.parse_args(ask))
    claims = [c.strip() for c in (root / "claims.txt").read_text(encoding="utf-8").splitlines() if c.strip()]
    if claims and args.format == "markdown" and not args.output:
        from factdesk.library import Library

        print("\n## Example claims\n")
        with Library(db) as lib:
            for claim in claims:
                report = lib.check(claim)
                print(f"- {claim}\n  verdict: **{report.verdict}**; "
                      f"{' '.join(p.text for p in report.verdict_explanation[:2])}")
    return 0


def cmd_serve(args) -> int:
    """Serve the desk (web page and JSON API); loopback only unless a token guards it."""
    import ipaddress

    try:
        import uvicorn

        from factdesk.web.app import create_app
    except ImportError as err:
        raise CliError(f"serve needs the web extra: pip install 'factdesk[web]' ({err.name} is missing)")
    token = args.token or os.environ.get("FACTDESK_TOKEN") or None
    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not token:
        raise CliError(f"refusing to serve on {args.host} without --token (or $FACTDESK_TOKEN): "
                       "anyone who reaches it could read and add sources")
    max_upload = int(args.max_upload * 1_000_000)
    app = create_app(args.db, token, allow_private=args.allow_private, max_upload_bytes=max_upload)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"factdesk desk on http://{shown}:{args.port}/ (API docs at /docs); Ctrl-C stops it", file=sys.stderr)
    if args.workers > 1:  # each worker process builds the same app from the environment
        os.environ.update(FACTDESK_DB=args.db or "", FACTDESK_TOKEN=token or "",
                          FACTDESK_ALLOW_PRIVATE="1" if args.allow_private else "",
                          FACTDESK_MAX_UPLOAD=str(max_upload))
        app = "factdesk.web.app:app_from_env"
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                workers=args.workers if args.workers > 1 else None, factory=args.workers > 1)
    return 0


def _examples_dir() -> Path:
    if (EXAMPLES / "question.txt").exists():
        return EXAMPLES
    raise CliError(f"the bundled example library is missing (expected {EXAMPLES}; run demo from a checkout)")


# ---- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factdesk",
        description="Answer contested factual questions and check claims from a library of sources; "
        "every figure is traced to the exact characters of its source.",
        epilog="The library is a SQLite file or a PostgreSQL database: --db FILE|postgresql://..., "
        "else $FACTDESK_DB, else ./factdesk.db.",
    )
    parser.add_argument("--version", action="version", version=f"factdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        p.add_argument("--db", default=os.environ.get("FACTDESK_DB"), metavar="FILE", help=DB_HELP)
        return p

    p = add("ingest", cmd_ingest, "add files, folders and http(s) URLs to the library "
            "(HTML, PDF, text, Markdown, JSON Lines)")
    p.add_argument("targets", nargs="+", metavar="PATH|URL")
    p.add_argument("--allow-private", action="store_true",
                   help="allow URLs that resolve to private, loopback or link-local addresses")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per source")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--embeddings", action="store_true",
                   help="also store a vector per sentence for semantic search (default: $FACTDESK_EMBEDDINGS=1; "
                   "needs the embeddings extra)")

    p = add("embed", cmd_embed, "add sentence vectors to the sources of a library that lack them "
            "(needs the embeddings extra; safe to run again)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    p = add("sources", cmd_sources, "list the sources in the library")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = add("show", cmd_show, "print a stored source sentence by sentence, with offsets")
    p.add_argument("source_id", metavar="SOURCE_ID", help="a source id or a unique prefix of one")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = add("figures", cmd_figures, "list the figures extracted from the library")
    p.add_argument("--about", metavar="TEXT", help="only figures whose subject or sentence match TEXT")
    p.add_argument("--source", metavar="ID", help="only figures of this source")
    p.add_argument("--kind", choices=["stock", "flow", "share", "rate", "change", "other"])
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    p = sub.add_parser("extract", help="print the figures of a piece of text without storing it",
                       description="print the figures of a piece of text without storing it")
    p.set_defaults(func=cmd_extract)
    p.add_argument("text", nargs="?", metavar="TEXT", help="the text, or - (default) for standard input")
    p.add_argument("--published", metavar="YYYY-MM-DD",
                   help="publication date, the anchor for 'last year', 'currently' and dates without a year")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")

    for name, func, arg, help_text in (
        ("ask", cmd_ask, "question", "answer a question from the library with a cited report"),
        ("check", cmd_check, "claim", "give a verdict on a claim with a cited report"),
    ):
        p = add(name, func, help_text)
        p.add_argument(arg, metavar=arg.upper())
        formats = ["markdown", "html", "json"] + (["claimreview"] if name == "check" else [])
        p.add_argument("--format", choices=formats, default="markdown")
        p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
        p.add_argument("--writer", choices=["deterministic", "llm"], default="deterministic",
                       help="who writes the prose: the deterministic engine (default), or a language model "
                       "configured by FACTDESK_LLM_* whose every sentence is verified against the sources")
        p.add_argument("--gather", action="store_true",
                       help="first search the web for sources and add them to the library (see `gather`)")
        _gather_options(p)

    p = add("gather", cmd_gather, "search the web for sources on a question or claim, fetch them politely "
            "and add them to the library; prints what was taken and skipped, and why")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--claim", action="store_true", help="QUESTION is a claim to check")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _gather_options(p)

    p = sub.add_parser("copy", help="copy a library into another (e.g. an SQLite file into PostgreSQL); "
                       "sources already there are skipped, so running it again finishes an interrupted copy",
                       description="copy a library into another, idempotently, in batches")
    p.set_defaults(func=cmd_copy)
    p.add_argument("--from", dest="source", required=True, metavar="LIBRARY",
                   help="the library to read: an SQLite file or a postgresql:// URL")
    p.add_argument("--to", dest="target", required=True, metavar="LIBRARY",
                   help="the library to write (created if needed): an SQLite file or a postgresql:// URL")
    p.add_argument("--batch", type=int, default=500, metavar="N", help="sources read per batch (default 500)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    p = add("demo", cmd_demo, "ingest the bundled example library (into ./factdesk-demo.db unless --db), "
            "answer its example question and check its example claims")
    p.add_argument("--format", choices=["markdown", "html", "json"], default="markdown")
    p.add_argument("-o", "--output", metavar="FILE")

    p = add("serve", cmd_serve, "serve the web desk and the JSON API (OpenAPI docs at /docs)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; any other needs --token)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--token", metavar="T", help="require this bearer token on every page and API call "
                   "(default: $FACTDESK_TOKEN; pages sign in once with it)")
    p.add_argument("--allow-private", action="store_true",
                   help="let URL ingest reach private, loopback or link-local addresses")
    p.add_argument("--max-upload", type=float, default=20, metavar="MB",
                   help="largest upload request in megabytes (default 20)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="server processes (default 1); questions are CPU-bound, so up to one per core helps")
    return parser


def main(argv: list[str] | None = None) -> int:
    from factdesk.library import LibraryError
    from factdesk.store.base import StoreError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CliError, LibraryError, StoreError) as err:
        print(f"factdesk {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
