"""The HTTP service, over real HTTP and a real index: built with the fake embedder (words, no meaning), and one
question across languages with the real model."""

from __future__ import annotations

import concurrent.futures
import socket

import httpx
import pytest

GERMAN_THESIS = "Schulische Integration von Kindern mit Migrationshintergrund"


@pytest.mark.slow
def test_french_query_finds_german_document_over_http(client: httpx.Client) -> None:
    response = client.get("/search", params={"q": "Comment aider les enfants immigrés à réussir à l'école ?"})
    assert response.status_code == 200
    top = response.json()["results"][0]
    assert top["document"]["title"] == "Schulische Integration von Kindern mit Migrationshintergrund"
    assert top["document"]["language"] == "de"
    assert top["passage"]["url"] == f"/documents/{top['document']['id']}/file#page={top['passage']['page']}"
    assert top["score"] == pytest.approx(top["passage"]["score"], abs=1e-4)


def test_a_result_names_its_document_and_links_its_passage_at_its_page(fake_client: httpx.Client) -> None:
    response = fake_client.get("/search", params={"q": "Wie gelingt die Integration von Kindern in der Schule?"})
    assert response.status_code == 200
    top = response.json()["results"][0]
    assert top["document"]["title"] == GERMAN_THESIS and top["document"]["language"] == "de"
    assert top["document"]["url"] == f"/documents/{top['document']['id']}/file"
    assert top["passage"]["page"] in (1, 2) and top["passage"]["language"] == "de"
    assert top["passage"]["url"] == f"/documents/{top['document']['id']}/file#page={top['passage']['page']}"
    assert top["score"] == pytest.approx(top["passage"]["score"], abs=1e-4)


def test_search_with_filters_and_k(fake_client: httpx.Client) -> None:
    body = fake_client.get("/search", params={"q": "logement", "k": 2, "type": "document"}).json()
    assert len(body["results"]) == 2
    assert all(r["document"]["type"] == "document" for r in body["results"])
    body = fake_client.get("/search", params=[("q", "logement"), ("language", "en"), ("language", "lb")]).json()
    assert {r["document"]["language"] for r in body["results"]} == {"en", "lb"}


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"q": ""}, "the query is empty"),
        ({"q": " \t "}, "the query is empty"),
        ({"q": "x" * 201}, "the query is too long (201 characters, at most 200)"),
        ({"q": "x " * 101}, "the query is too long (202 characters, at most 200)"),
        ({"q": "ok", "k": 0}, "k must be"),
        ({"q": "ok", "k": 101}, "k must be"),
        ({"q": "ok", "k": "ten"}, "integer"),
        ({"q": "ok", "language": "xx"}, "unknown language"),
        ({"q": "ok", "edition": "1999-nothing"}, "unknown edition"),
        ({"q": "ok", "year": "last"}, "integer"),
        ({}, "Field required"),
    ],
)
def test_bad_requests_get_422_with_a_reason(fake_client: httpx.Client, params: dict[str, object], reason: str) -> None:
    response = fake_client.get("/search", params=params)
    assert response.status_code == 422
    assert reason in str(response.json()["detail"])


HUGE = "9223372036854775808"  # one past SQLite's largest integer


@pytest.mark.parametrize("endpoint", ["search", "similar"])
@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"year_from": HUGE}, "year_from must be at most 9999"),
        ({"year_to": HUGE}, "year_to must be at most 9999"),
        ({"year_to": f"-{HUGE}"}, "year_to must be at least 1000"),
        ({"year": HUGE}, "year must be at most 9999"),
        ({"year_from": "999"}, "year_from must be at least 1000"),
        ({"k": HUGE}, "k must be at most 100"),
        ({"k": f"-{HUGE}"}, "k must be at least 1"),
    ],
)
def test_out_of_range_integers_get_422_not_500(fake_client: httpx.Client, endpoint: str, params: dict[str, str],
                                               reason: str) -> None:
    if endpoint == "search":
        response = fake_client.get("/search", params={"q": "santé", **params})
    else:
        document_id = fake_client.get("/search", params={"q": "santé", "k": 1}).json()["results"][0]["document"]["id"]
        response = fake_client.get(f"/documents/{document_id}/similar", params=params)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]


def test_many_filter_values_get_422_not_500(fake_client: httpx.Client) -> None:
    response = fake_client.get("/search", params=[("q", "santé"), *(("author", f"name {n}") for n in range(1000))])
    assert response.status_code == 422, response.text
    assert "at most 20 values per filter: author has 1000" in response.json()["detail"]
    response = fake_client.get("/search", params=[("q", "santé"), *(("author", f"name {n}") for n in range(20))])
    assert response.status_code == 200 and response.json()["results"] == []


def test_long_urls_get_a_4xx_with_a_reason(fake_server: str) -> None:
    # Under 64 KiB the request reaches the service, whose limits refuse it with a reason.
    with httpx.Client(base_url=fake_server, timeout=30) as client:
        response = client.get("/search", params={"q": "santé", "author": "a" * 60_000})
        assert response.status_code == 422 and "at most 50 characters" in response.json()["detail"]
        response = client.get("/search", params={"q": "sante " * 9_000})
        assert response.status_code == 422 and "the query is too long" in response.json()["detail"]
    # Over 64 KiB uvicorn's HTTP parser refuses the request line itself (httpx will not even send it).
    host, port = fake_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /search?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"Invalid HTTP request received.")


def test_other_matching_passages_are_references_into_the_document(fake_client: httpx.Client) -> None:
    params = {"q": "Integration von Kindern in der Schule", "k": 5}
    results = fake_client.get("/search", params=params).json()["results"]
    with_others = [r for r in results if r["others"]]
    assert with_others, "some document should match in more than one passage"
    for result in with_others:
        scores = [result["passage"]["score"], *(o["score"] for o in result["others"])]
        assert scores == sorted(scores, reverse=True)
        passages = {p["id"]: p for p in fake_client.get(f"/documents/{result['document']['id']}").json()["passages"]}
        for other in result["others"]:
            assert "text" not in other and "highlighted" not in other  # the text is one request away
            assert other["id"] != result["passage"]["id"]
            assert (passages[other["id"]]["page"], passages[other["id"]]["start"]) == (other["page"], other["start"])


def test_document_detail_and_file(fake_client: httpx.Client) -> None:
    hit = fake_client.get("/search", params={"q": "Eeler Leit Eesamkeet"}).json()["results"][0]
    document_id = hit["document"]["id"]
    detail = fake_client.get(f"/documents/{document_id}").json()
    assert detail["document"]["title"] == "Eeler Leit doheem"
    assert detail["passages"] and detail["passages"][0]["page"] == 1
    file = fake_client.get(f"/documents/{document_id}/file")
    assert file.status_code == 200 and file.text.startswith("# Eeler Leit doheem")


def test_passages_tell_their_kind_and_section(fake_client: httpx.Client) -> None:
    result = fake_client.get("/search", params={"q": "Eeler Leit Eesamkeet", "k": 3}).json()["results"][0]
    assert (result["passage"]["kind"], result["passage"]["section"]) == ("content", "Eeler Leit doheem")
    assert all({"kind", "section"} <= set(other) for other in result["others"])
    detail = fake_client.get(f"/documents/{result['document']['id']}").json()
    assert [(p["kind"], p["section"]) for p in detail["passages"]] == [("content", "Eeler Leit doheem")]


def test_pdf_is_served_inline(fake_client: httpx.Client) -> None:
    hit = fake_client.get("/search", params={"q": "Bachelorarbeit Integration", "type": "thesis"}).json()["results"][0]
    response = fake_client.get(hit["document"]["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("document_id", ["nope", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "%2e%2e"])
def test_unknown_documents_and_path_tricks_get_404(fake_client: httpx.Client, document_id: str) -> None:
    for suffix in ("", "/file"):
        response = fake_client.get(f"/documents/{document_id}{suffix}")
        assert response.status_code == 404
        assert "root:" not in response.text


def test_health_stats_and_docs(fake_client: httpx.Client) -> None:
    health = fake_client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] == 6 and health["problem"] is None
    assert health["generation"].startswith("gen-")
    stats = fake_client.get("/stats").json()
    assert stats["model"] == "fake-embedder" and stats["documents"] == 6  # the model that built the index
    assert set(stats["languages"]) == {"de", "en", "fr", "lb"}
    assert {f["reason"] for f in stats["failed"]} == {"encrypted", "corrupt", "no text"}
    assert fake_client.get("/docs").status_code == 200
    assert "/search" in fake_client.get("/openapi.json").json()["paths"]


def test_many_concurrent_searches_all_succeed_and_health_stays_responsive(fake_server: str) -> None:
    queries = ["santé mentale", "Wohnungsnot", "digital skills", "Integratioun", "RGPD"] * 8

    def ask(query: str) -> int:
        with httpx.Client(base_url=fake_server, timeout=60) as http:
            return http.get("/search", params={"q": query, "k": 3}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(ask, q) for q in queries]
        with httpx.Client(base_url=fake_server, timeout=5) as http:
            assert http.get("/health").status_code == 200  # not blocked behind the queries
        assert [f.result() for f in futures] == [200] * len(queries)


def test_every_result_is_judged_a_match_or_only_related(fake_client: httpx.Client) -> None:
    body = fake_client.get("/search", params={"q": "Housing First homelessness"}).json()
    assert body["matches"] == 2 == sum(r["match"] for r in body["results"])
    first = body["results"][0]
    assert first["match"] is True and first["matched_words"][:2] == ["Housing", "First"]
    assert any(not r["match"] and r["matched_words"] == [] for r in body["results"])
    nothing = fake_client.get("/search", params={"q": "quantum chromodynamics gluon"}).json()
    assert nothing["matches"] == 0 and nothing["results"] and not any(r["match"] for r in nothing["results"])
    assert all(values == [] for values in nothing["facets"].values())
    similar = fake_client.get(f"/documents/{first['document']['id']}/similar").json()
    assert similar["matches"] == sum(r["match"] for r in similar["results"])


def test_a_query_of_function_words_alone_gets_422_with_a_reason(fake_client: httpx.Client) -> None:
    response = fake_client.get("/search", params={"q": "der die das"})
    assert response.status_code == 422
    assert "no word that can carry a meaning" in response.json()["detail"]


def test_documents_are_listed_without_a_query_newest_or_oldest_first(fake_client: httpx.Client) -> None:
    body = fake_client.get("/documents", params={"limit": 2}).json()
    assert (body["total"], body["limit"], body["offset"], body["sort"]) == (6, 2, 0, "newest")
    years = [d["year"] for d in body["documents"]]
    assert len(years) == 2 and years == sorted(years, reverse=True)
    assert sum(v["count"] for v in body["facets"]["type"]) == 6  # counted over all the listed documents
    rest = fake_client.get("/documents", params={"limit": 10, "offset": 2}).json()["documents"]
    everything = fake_client.get("/documents", params={"limit": 10}).json()["documents"]
    assert [d["id"] for d in everything] == [d["id"] for d in body["documents"] + rest]
    oldest = fake_client.get("/documents", params={"limit": 10, "sort": "oldest"}).json()["documents"]
    dated = [d["year"] for d in oldest if d["year"] is not None]
    assert dated == sorted(dated)
    theses = fake_client.get("/documents", params={"type": "thesis"}).json()
    assert theses["total"] == 1 and theses["documents"][0]["extra"]["prize"]


def test_documents_by_an_author_supervisor_or_keyword_match_the_whole_name_in_any_spelling(
        fake_client: httpx.Client) -> None:
    def titles(**params: str) -> set[str]:
        return {d["title"] for d in fake_client.get("/documents", params=params).json()["documents"]}

    both = {"Schulische Integration von Kindern mit Migrationshintergrund", "Housing First report"}
    assert titles(by="Hoffmann, Léna") == titles(by="LENA HOFFMANN") == both
    assert titles(by="Hoffmann") == set()  # the whole name; `author` is the part of a name
    assert titles(author="hoffm") == both
    assert titles(supervisor="prof dr claude weis") == titles(keyword="SCHULE") == {
        "Schulische Integration von Kindern mit Migrationshintergrund"}
    body = fake_client.get("/search", params={"q": "Integration", "by": "Lena Hoffmann"}).json()
    assert body["results"] and all("Lena Hoffmann" in r["document"]["authors"] or "Hoffmann, Lena" in
                                   r["document"]["authors"] for r in body["results"])


def test_search_sorted_by_year_keeps_the_same_matches(fake_client: httpx.Client) -> None:
    params = {"q": "intelligence artificielle Housing", "k": 10}
    relevance = fake_client.get("/search", params=params).json()
    newest = fake_client.get("/search", params={**params, "sort": "newest"}).json()
    assert newest["sort"] == "newest" and newest["matches"] == relevance["matches"] > 1
    matches = newest["matches"]

    def matching(body: dict) -> list[dict]:
        return [r for r in body["results"] if r["match"]]

    assert {r["document"]["id"] for r in matching(newest)} == {r["document"]["id"] for r in matching(relevance)}
    assert [r["match"] for r in newest["results"][:matches]] == [True] * matches  # matches first, then related
    years = [r["document"]["year"] or 0 for r in matching(newest)]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize(
    ("endpoint", "params", "reason"),
    [
        ("/documents", {"sort": "random"}, "Input should be 'relevance', 'newest' or 'oldest'"),
        ("/search", {"q": "ok", "sort": "year"}, "Input should be 'relevance', 'newest' or 'oldest'"),
        ("/documents", {"limit": 0}, "limit must be at least 1"),
        ("/documents", {"limit": 101}, "limit must be at most 100"),
        ("/documents", {"offset": -1}, "offset must be at least 0"),
        ("/documents", {"offset": HUGE}, "offset must be at most 100000"),
        ("/documents", {"edition": "1999-nothing"}, "unknown edition"),
        ("/documents", {"by": "x" * 51}, "at most 50 characters"),
        ("/documents", [("by", f"name {n}") for n in range(6)], "at most 5"),
        ("/documents", {"year": HUGE}, "year must be at most 9999"),
    ],
)
def test_bad_listings_and_sorts_get_422_with_a_reason(fake_client: httpx.Client, endpoint: str,
                                                      params: dict[str, object], reason: str) -> None:
    response = fake_client.get(endpoint, params=params)
    assert response.status_code == 422, response.text
    assert reason in str(response.json()["detail"])
