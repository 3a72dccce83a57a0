"""The parsed-document cache stays within its byte budget; the size check sees each request's variables."""

from __future__ import annotations

from graphql import GraphQLError, build_schema

from berth_webserver.http.document_cache import TREE_BYTES_PER_CHAR, DocumentCache
from berth_webserver.http.graphql_execution import DocumentPreparer, GraphQLParams
from berth_webserver.http.limits import ServerLimits


def test_the_cache_drops_least_recently_used_documents_to_stay_within_its_budget() -> None:
    cache: DocumentCache[str] = DocumentCache(budget_bytes=100 * TREE_BYTES_PER_CHAR)
    for index in range(10):
        cache.get_or_build("schema", f"{index:02d}" + "x" * 18, lambda: "built")  # 20 chars each
    assert cache.used_bytes <= cache.budget_bytes and len(cache) == 5
    rebuilt: list[str] = []
    cache.get_or_build("schema", "09" + "x" * 18, lambda: rebuilt.append("09") or "again")
    cache.get_or_build("schema", "00" + "x" * 18, lambda: rebuilt.append("00") or "again")
    assert rebuilt == ["00"]  # the newest were kept, the oldest dropped


def test_a_document_larger_than_a_quarter_of_the_budget_is_not_cached() -> None:
    cache: DocumentCache[str] = DocumentCache(budget_bytes=100 * TREE_BYTES_PER_CHAR)
    cache.get_or_build("schema", "y" * 26, lambda: "built")
    assert len(cache) == 0 and cache.used_bytes == 0


SCHEMA = build_schema("""
type Query { items(limit: Int): [Item!]! }
type Item { name: String! children(limit: Int): [Item!]! }
""")


def test_one_cached_document_is_measured_again_with_each_requests_variables() -> None:
    preparer = DocumentPreparer(ServerLimits(max_query_cost=10_000, max_list_limit=100))
    query = "query Q($n: Int) { items(limit: $n) { children(limit: $n) { name } } }"
    assert not isinstance(preparer.prepare(SCHEMA, GraphQLParams(query, {"n": 10})), list)
    errors = preparer.prepare(SCHEMA, GraphQLParams(query, {"n": 100}))
    assert isinstance(errors, list) and isinstance(errors[0], GraphQLError)
    assert "about 20,100 values, over the query cost limit of 10,000 by 10,100" in errors[0].message
    assert len(preparer.cache) == 1


def test_fragments_are_measured_once_so_a_fragment_bomb_is_cheap_to_refuse() -> None:
    fragments = "".join(f"fragment F{i} on Item {{ a: children {{ ...F{i + 1} }} b: children {{ ...F{i + 1} }} }}\n"
                        for i in range(40))
    query = "{ items { ...F0 } }\n" + fragments + "fragment F40 on Item { name }"
    errors = DocumentPreparer(ServerLimits(max_query_depth=100)).prepare(SCHEMA, GraphQLParams(query))
    assert isinstance(errors, list) and "too costly" in errors[0].message
