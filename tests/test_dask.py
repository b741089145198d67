"""``--engine dask`` on a real LocalCluster (127.0.0.1): the same graph as a plain build."""

from __future__ import annotations

import pytest

from kg.config import Config
from kg.engine import EngineOptions, loaded, run_engine
from kg.errors import UsageError
from kg.pipeline import build
from kg.records import Document
from kgbench.corpus import generate, write_corpus

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False},
    ) as local:
        yield local


def test_dask_build_equals_plain_build(cluster, tmp_path, nlp):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4, seed=5)
    # One chunk per document: work is spread over both workers.
    config = Config(batch_size=1, validate=False, cache=False)
    plain = build([corpus], tmp_path / "plain", config, log=lambda _: None)
    dask_config = config.updated(engine="dask", scheduler=cluster.scheduler_address)
    dask = build([corpus], tmp_path / "dask", dask_config, log=lambda _: None)
    assert dask.parsed == 4
    assert dask.outputs["turtle"].read_bytes() == plain.outputs["turtle"].read_bytes()


def test_unknown_engine():
    with pytest.raises(UsageError, match="unknown engine"):
        list(run_engine("spark", [], Config()))


def test_unreachable_scheduler():
    with pytest.raises(UsageError, match="cannot reach"):
        list(run_engine("dask", [], Config(), EngineOptions(scheduler="tcp://127.0.0.1:1")))


def test_process_pool_gives_the_plain_extractions(nlp):
    documents = [Document(a.name, a.name, "", a.text) for a in generate(4, seed=6)]
    one = [loaded(e) for e in run_engine("local", documents, Config(batch_size=1))]
    two = [loaded(e) for e in run_engine("local", documents, Config(batch_size=1, n_process=2))]
    assert [e.document.id for e in two] == [d.id for d in documents]
    assert [(e.mentions, e.facts, e.attributes) for e in two] == [
        (e.mentions, e.facts, e.attributes) for e in one
    ]
