"""Command-line interface. Each command only parses its arguments and calls one library function;
:class:`~kg.errors.KgError` is caught once, in :func:`main`, and printed as one line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .config import Config
from .errors import KgError, UsageError

app = typer.Typer(
    help="kg: French business news to a typed knowledge graph (RDF, NetworkX, HTML, SPARQL).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_MB = 1024 * 1024


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


# Every option of kg build takes its default from here (kg/config.py: the table of defaults).
BUILD_DEFAULTS = Config()


@app.command("build")
def build_cmd(
    paths: Annotated[
        list[str], typer.Argument(help="Files or folders of articles ('-' reads standard input).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    model: Annotated[
        str, typer.Option(help="Installed spaCy pipeline to use.")
    ] = BUILD_DEFAULTS.model,
    threshold: Annotated[
        float, typer.Option(help="Drop facts whose confidence is below this (0-1).")
    ] = BUILD_DEFAULTS.threshold,
    patterns: Annotated[
        list[Path] | None, typer.Option("--patterns", help="Extra pattern files (TOML) to load.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1, writing nothing, if any input is skipped.")
    ] = BUILD_DEFAULTS.strict,
    include: Annotated[
        list[str] | None, typer.Option(help="Glob of files to read inside folders ('*.txt').")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Glob of files to skip inside folders ('drafts/*').")
    ] = None,
    text_field: Annotated[
        str, typer.Option(help="JSON/JSONL field holding the article text.")
    ] = BUILD_DEFAULTS.text_field,
    max_size: Annotated[
        float, typer.Option(help="Largest document read, in MB; larger files are skipped.", min=0)
    ] = BUILD_DEFAULTS.max_bytes / _MB,
    validate: Annotated[
        bool, typer.Option("--validate/--no-validate", help="Check SHACL shapes; warn if broken.")
    ] = BUILD_DEFAULTS.validate,
    reason: Annotated[
        bool, typer.Option("--reason", help="Also write OWL 2 RL entailments to inferred.ttl.")
    ] = BUILD_DEFAULTS.reason,
    processes: Annotated[
        int, typer.Option("--processes", "-j", help="Local processes parsing in parallel.", min=1)
    ] = BUILD_DEFAULTS.n_process,
    batch_size: Annotated[
        int, typer.Option(help="Documents per parse batch.", min=1)
    ] = BUILD_DEFAULTS.batch_size,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse extractions of unchanged documents.")
    ] = BUILD_DEFAULTS.cache,
    engine: Annotated[
        str, typer.Option(help="Where extraction runs: local or dask.")
    ] = BUILD_DEFAULTS.engine,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://HOST:8786), --engine dask.")
    ] = BUILD_DEFAULTS.scheduler,
    workers: Annotated[
        int | None, typer.Option(help="Local Dask workers when no --scheduler.", min=1)
    ] = BUILD_DEFAULTS.workers,
    store: Annotated[
        str, typer.Option(help="Where the graph is assembled: auto, memory or disk.")
    ] = BUILD_DEFAULTS.store,
    view_nodes: Annotated[
        int, typer.Option(help="Entities drawn in graph.html, most connected first (0: all).")
    ] = BUILD_DEFAULTS.view_nodes,
) -> None:
    """Read articles, extract entities and relations, write graph.ttl, graph.graphml and graph.html."""
    from .pipeline import build, format_summary

    config = Config(
        model=model,
        threshold=threshold,
        extra_patterns=tuple(patterns or ()),
        n_process=processes,
        batch_size=batch_size,
        engine=engine,
        scheduler=scheduler,
        workers=workers,
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        text_field=text_field,
        max_bytes=int(max_size * _MB),
        strict=strict,
        store=store,
        validate=validate,
        reason=reason,
        view_nodes=view_nodes,
        cache=cache,
    )
    result = build(paths, out, config, progress=not quiet, log=_echo_err)
    if not quiet:
        typer.echo(format_summary(result))


@app.command("query")
def query_cmd(
    graph: Annotated[
        Path | None, typer.Argument(help="RDF graph file (Turtle, TriG, N-Triples, JSON-LD).")
    ] = None,
    sparql: Annotated[str | None, typer.Argument(help="SPARQL query text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from a file.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Run a named query (see --list).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE bound in the query, e.g. org=Odoo."),
    ] = None,
    list_names: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, tsv, json or xml.")] = "table",
) -> None:
    """Run a SPARQL query (text, --file or --name) over a graph and print the results."""
    from .errors import UsageError
    from .query import answer_query, list_queries

    if list_names:
        typer.echo(list_queries())
        return
    if graph is None:
        raise UsageError("kg query needs a GRAPH file (or --list)")
    typer.echo(answer_query(graph, text=sparql, file=file, name=name, params=param or [], fmt=fmt))


@app.command("eval")
def eval_cmd(
    graph: Annotated[Path, typer.Argument(help="Graph built by 'kg build' (Turtle).")],
    gold: Annotated[list[Path], typer.Argument(help="Gold JSON files (see eval/README).")],
    seeds: Annotated[
        Path | None, typer.Option(help="Folder holding the gold documents' texts.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    explain: Annotated[
        bool, typer.Option("--explain", help="Give each missed and wrong fact its pipeline stage.")
    ] = False,
    cache: Annotated[
        Path | None,
        typer.Option(help="Extraction records for --explain (default: GRAPH's .kg-cache)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="The build's --threshold, for --explain.")
    ] = BUILD_DEFAULTS.threshold,
) -> None:
    """Score a graph against gold annotations: relation P/R/F1, tiers, entities, traps, attributes."""
    from .evaluate import evaluate, format_report

    if not explain:
        typer.echo(format_report(evaluate(graph, gold, texts_dir=seeds), fmt))
        return
    from .explain import explain as explain_eval
    from .explain import find_records, format_explained

    records = find_records(graph, cache)
    explained = explain_eval(graph, gold, texts_dir=seeds, records=records, threshold=threshold)
    typer.echo(format_explained(explained, fmt))


@app.command("validate")
def validate_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
) -> None:
    """Check a graph against ontology/shapes.ttl: one line per violation, exit 1 if any."""
    from .graph.rdf import load_graph
    from .validate import GraphInvalid, validate

    violations = validate(load_graph(graph))
    for violation in violations:
        typer.echo(str(violation))
    if violations:
        raise GraphInvalid(f"{graph}: {len(violations)} SHACL violation(s)")
    typer.echo("valid")


@app.command("reason")
def reason_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Turtle file for the entailed triples.")
    ] = Path("inferred.ttl"),
) -> None:
    """Write the OWL 2 RL entailments of a graph (inverses, super-properties...) apart from it."""
    from .graph.rdf import load_graph
    from .reason import write_inferred

    typer.echo(f"wrote inferred: {write_inferred(load_graph(graph), out)}")


@app.command("view")
def view_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default: GRAPH.html).")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Page title (default: the graph's file name).")
    ] = None,
) -> None:
    """Write the interactive, self-contained HTML view of a graph (opens offline)."""
    from .viz import write_view

    typer.echo(f"wrote view: {write_view(graph, out, title=title)}")


@app.command("serve")
def serve_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    host: Annotated[str, typer.Option(help="Address to listen on (loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 7878,
    timeout: Annotated[float, typer.Option(help="Seconds a query may run.")] = 10.0,
    limit: Annotated[int, typer.Option(help="Most rows (or triples) in one answer.")] = 10_000,
    workers: Annotated[
        int,
        typer.Option(help="Slow queries run at once (one more process keeps quick ones going)."),
    ] = 2,
    memory: Annotated[int, typer.Option(help="Megabytes a query worker may allocate.")] = 2048,
    allow_service: Annotated[
        bool, typer.Option(help="Run SERVICE queries: the server then calls any URL it is given.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(help="A host name the Host header may give (besides the bound address)."),
    ] = None,
    cors: Annotated[
        str | None, typer.Option(help="The one origin browsers may call the endpoint from.")
    ] = None,
) -> None:
    """Serve a read-only SPARQL endpoint (/sparql), the graph view (/) and a query page (/query)."""
    from .serve import ServerConfig, serve

    config = ServerConfig(
        timeout=timeout,
        limit=limit,
        workers=workers,
        memory=memory,
        allow_service=allow_service,
        allow_hosts=tuple(allow_host or ()),
        cors=cors,
    )
    serve(graph, host, port, config=config, log=_echo_err)


@app.command("push")
def push_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    endpoint: Annotated[
        str,
        typer.Option(
            help="Graph Store Protocol URL, e.g. http://localhost:7879/store (an Oxigraph server "
            "started with: oxigraph serve --location DIR --bind 127.0.0.1:7879)."
        ),
    ],
    graph_iri: Annotated[
        str | None, typer.Option("--graph", help="Named graph IRI (default: the default graph).")
    ] = None,
    append: Annotated[bool, typer.Option(help="Add to the graph (POST), not replace it.")] = False,
) -> None:
    """Upload a graph to a triple store (Oxigraph, Fuseki, GraphDB) by the Graph Store Protocol."""
    from .push import push

    result = push(graph, endpoint, graph_iri, append=append)
    typer.echo(f"{result.method} {result.triples} triples to {result.url}: HTTP {result.status}")


@app.command("export")
def export_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="ttl, nt, nq, trig, jsonld, graphml, gexf or csv.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (a folder for csv).")
    ] = None,
) -> None:
    """Write a graph as RDF (ttl, nt, nq, trig, jsonld), GraphML, GEXF or CSV (nodes, edges)."""
    from .export import export

    for path in export(graph, fmt, out):
        typer.echo(f"wrote {path}")


@app.command("stats")
def stats_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    top: Annotated[int, typer.Option(help="How many entities to rank.")] = 10,
) -> None:
    """Counts by type and relation, top entities by degree and PageRank, connected components."""
    from .analytics import stats_report

    typer.echo(stats_report(graph, top=top))


@app.command("path")
def path_cmd(
    graph: Annotated[Path, typer.Argument(help="RDF graph file (Turtle, TriG, JSON-LD...).")],
    source: Annotated[str, typer.Argument(help="Entity name (label or alias, any case/accents).")],
    target: Annotated[str, typer.Argument(help="Entity name (label or alias, any case/accents).")],
) -> None:
    """The shortest chain of facts between two entities, each with its evidence sentence."""
    from .analytics import path_report

    typer.echo(path_report(graph, source, target))


@app.command("bench")
def bench_cmd(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder of results.json (default: ~/.cache/kg/bench, or under $XDG_CACHE_HOME).",
        ),
    ] = None,
    work: Annotated[
        Path | None,
        typer.Option(help="Scratch folder for corpora and builds (default: temporary)."),
    ] = None,
    scale: Annotated[
        str,
        typer.Option(
            help="quick (small corpora, a few minutes), full (the targets' sizes, ~20 min) "
            "or tiny (a smoke run)."
        ),
    ] = "quick",
) -> None:
    """Measure throughput, scaling, memory, incremental rebuild and SPARQL speed; print the ratios."""
    try:  # a development tool, beside kg rather than in it (kgbench/)
        from kgbench.bench import SCALES, run
    except ImportError as error:
        raise UsageError(f"kg bench needs kg's kgbench package ({error})") from None

    if scale not in SCALES:
        raise UsageError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    run(SCALES[scale], out_dir=out, work_dir=work, log=typer.echo)


# How --help names the value of an option, by the option's Python type.
_VALUE_WORDS = {"Path": "PATH", "str": "TEXT", "int": "INTEGER", "float": "NUMBER"}


def plain_help(command: Any) -> Any:
    """``command`` with help that names values in words (``PATHS...``, ``PATH``, ``TEXT``).

    Recent Typer versions print Python type notation in ``--help`` (``<list[str]>``, ``<bool>``,
    ``{paths}...``); every parameter gets a plain metavar instead, and flags none. Works on the
    Click command Typer builds; on a Typer that prints plain help already nothing changes.
    """
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = help_option(ctx)
        if option is not None and hasattr(option, "bare_type") and option.metavar is None:
            option.metavar = ""  # --help is a flag
        return option

    command.get_help_option = get_help_option
    for param in command.params:
        if not hasattr(param, "bare_type") or param.metavar is not None:
            continue
        if param.param_type_name == "argument":
            name = param.name.upper() + ("..." if param.nargs != 1 else "")
            usage = name if param.required else f"[{name}]"
            param.metavar = name
            param.get_usage_pieces = lambda ctx, usage=usage: [usage]
            param.display_type_rich = lambda ctx: None
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        else:
            bare = re.sub(r"^list\[(.*)\]$", r"\1", param.bare_type())
            param.metavar = _VALUE_WORDS.get(bare, "VALUE")
    return command


def main() -> None:
    """Entry point of the ``kg`` console script."""
    try:
        plain_help(typer.main.get_command(app))(standalone_mode=False)
    except KgError as error:
        _echo_err(f"kg: error: {error}")
        sys.exit(error.exit_code)
    except typer.Abort:
        _echo_err("kg: aborted")
        sys.exit(130)
    except typer.Exit as error:
        sys.exit(error.exit_code)
    except Exception as error:  # click usage errors and friends
        if not isinstance(error, _click_exception_types()):
            raise
        message = error.format_message()  # type: ignore[attr-defined]
        if type(error).__name__ == "NoArgsIsHelpError":
            if message.strip():  # rich help is printed already, plain help is the message
                _echo_err(message)
        else:
            _echo_err(f"kg: error: {' '.join(message.split())}")
        sys.exit(2)


def _click_exception_types() -> tuple[type[Exception], ...]:
    """Click's usage-error base class: vendored inside typer (>= 0.2x), or click's own."""
    types = [c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"]
    try:
        import click

        types.append(click.ClickException)
    except ImportError:  # pragma: no cover - typer without click
        pass
    return tuple(types)


if __name__ == "__main__":
    main()
