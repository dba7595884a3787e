"""Malformed and implausible JSON-stat replies from a loopback PxWeb server (127.0.0.1): each refresh ends in one
message with exit 2 and changes nothing in params/ (a generated corpus of replies)."""

from __future__ import annotations

import copy
import json

import pytest

from tests.badinputs import assert_refused
from tests.io.test_statfin import params_copy, serve_tables, server  # noqa: F401
from toolkit.io.params import clear_caches


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield
    clear_caches()


def _first_dim(doc):
    return doc["id"][0]


# reply mutations: the valid dataset in, what the server sends out (a JSON value, or raw bytes)
REPLIES = {
    "list-not-dataset": (lambda doc: [doc], "(document)"),
    "class-collection": (lambda doc: {**doc, "class": "collection"}, "class"),
    "missing-id": (lambda doc: {k: v for k, v in doc.items() if k != "id"}, "id:"),
    "id-not-texts": (lambda doc: {**doc, "id": [1, 2, 3, 4, 5]}, "id:"),
    "duplicate-ids": (lambda doc: {**doc, "id": [doc["id"][0]] * len(doc["id"])}, "id:"),
    "missing-size": (lambda doc: {k: v for k, v in doc.items() if k != "size"}, "size:"),
    "size-text": (lambda doc: {**doc, "size": [str(n) for n in doc["size"]]}, "size:"),
    "size-negative": (lambda doc: {**doc, "size": [-n for n in doc["size"]]}, "size:"),
    "huge-declared-cube": (lambda doc: {**doc, "size": [60000, 60000] + [1] * (len(doc["size"]) - 2)},
                           "declares 3,600,000,000 cells"),
    "missing-dimension": (lambda doc: {k: v for k, v in doc.items() if k != "dimension"}, "dimension:"),
    "null-category": (lambda doc: {**doc, "dimension": {**doc["dimension"], _first_dim(doc): {"category": None}}},
                      "category"),
    "index-not-positions": (lambda doc: {**doc, "dimension": {**doc["dimension"], _first_dim(doc): {
        "category": {"index": {code: "x" for code in doc["dimension"][_first_dim(doc)]["category"]["index"]}}}}},
                            "positions"),
    "string-values": (lambda doc: {**doc, "value": ["many"] * len(doc["value"])}, "expected a finite number"),
    "boolean-values": (lambda doc: {**doc, "value": [True] * len(doc["value"])}, "expected a finite number"),
    "nan-values": (lambda doc: b'{"class": "dataset", "id": ["a"], "size": [1], "dimension": {"a": {"category": '
                               b'{"index": ["x"]}}}, "value": [NaN]}', "finite number"),
    "short-value-list": (lambda doc: {**doc, "value": doc["value"][:-1]}, "cells, but the sizes give"),
    "value-scalar": (lambda doc: {**doc, "value": 5}, "expected a list or an object"),
    "value-bad-position": (lambda doc: {**doc, "value": {"abc": 1}}, "positions"),
    "value-position-outside": (lambda doc: {**doc, "value": {"999999999": 1}}, "outside"),
    "status-number": (lambda doc: {**doc, "status": 7}, "status"),
    "all-null": (lambda doc: {**doc, "value": [None] * len(doc["value"])}, "has no figure"),
    "1e15-persons": (lambda doc: {**doc, "value": [1e15 if v else v for v in doc["value"]]}, "0 to 500000"),
    "wrong-variables": (lambda doc: {**doc, "id": [f"x{i}" for i in range(len(doc["id"]))],
                                     "dimension": {f"x{i}": doc["dimension"][d] for i, d in enumerate(doc["id"])}},
                        "variables and codes"),
}


def _serve_mutated(fake, mutate, only=None):
    """Replies to POSTs mutated; ``only``: just those whose query asks for this value (e.g. a measure code)."""
    answer = fake._answer

    def mutated(method, path, body):
        code, headers, payload = answer(method, path, body)
        if method == "POST" and code == 200 and (only is None or only in json.dumps(body)):
            out = mutate(copy.deepcopy(json.loads(payload)))
            payload = out if isinstance(out, bytes) else json.dumps(out).encode()
        return code, headers, payload

    fake._answer = mutated


@pytest.mark.parametrize("case", list(REPLIES))
def test_malformed_reply_is_refused_and_changes_nothing(capsys, server, params_copy, case):  # noqa: F811
    mutate, words = REPLIES[case]
    serve_tables(server)
    _serve_mutated(server, mutate)
    assert_refused(capsys, ["data", "refresh", "--municipality", "KU109", "--to", params_copy, "--base-url",
                            server.base_url], words, watch=(params_copy,))


MUNICIPAL_CASES = ["wrong-variables", "all-null", "negative-moves"]
REPLIES_MUNICIPAL = {**REPLIES, "negative-moves": (lambda doc: {**doc, "value": [-5] * len(doc["value"])},
                                                   "in_migration")}


@pytest.mark.parametrize("case", MUNICIPAL_CASES)
def test_malformed_municipal_migration_reply_is_refused_and_changes_nothing(capsys, server, params_copy,  # noqa: F811
                                                                             case):
    mutate, words = REPLIES_MUNICIPAL[case]
    serve_tables(server)
    _serve_mutated(server, mutate, only="vm41")  # the municipal in/out query only: the other tables are valid
    assert_refused(capsys, ["data", "refresh", "--municipality", "KU109", "--to", params_copy, "--base-url",
                            server.base_url], words, watch=(params_copy,))


def test_refresh_that_matches_nothing_is_an_error(capsys, server, params_copy):  # noqa: F811
    serve_tables(server)
    assert_refused(capsys, ["data", "refresh", "--municipality", "KU999", "--to", params_copy, "--base-url",
                            server.base_url], "KU999", watch=(params_copy,))
