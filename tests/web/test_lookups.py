"""Concurrent API lookups are matched together, and each caller still gets exactly its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from clearsight.banks.matcher import Matcher, MatchQuery, MatchReport, Reach
from clearsight.store.banks import BankStore
from clearsight.store.db import open_engine
from clearsight.store.records import BankRecord
from clearsight.web.lookups import SharedMatcher

PDQS = [f"{index:02x}" * 32 for index in range(1, 9)]


class CountingMatcher(Matcher):
    """A real matcher that records the size of every batch it is asked to match."""

    batches: list[int]

    def match_many(self, queries: Sequence[MatchQuery], restrict: Sequence[str] | None = None, reach: Reach = Reach.ENABLED) -> list[MatchReport]:
        self.batches.append(len(queries))
        return super().match_many(queries, restrict, reach)


def _shared(db: str) -> tuple[SharedMatcher, list[int]]:
    store = BankStore(open_engine(db))
    store.create("left", source="test", classification="A")
    store.create("right", source="test", classification="B")
    store.import_records("left", [BankRecord({"pdq": pdq}, ref=f"left-{index}") for index, pdq in enumerate(PDQS[:4])])
    store.import_records("right", [BankRecord({"pdq": pdq}, ref=f"right-{index}") for index, pdq in enumerate(PDQS[4:])])
    batches: list[int] = []

    def build() -> Matcher:
        matcher = CountingMatcher(store)
        matcher.batches = batches
        return matcher

    return SharedMatcher(build), batches


def test_concurrent_lookups_are_matched_in_one_batch_per_bank_scope_with_each_answer_its_own(db: str) -> None:
    shared, batches = _shared(db)
    scopes: list[list[str] | None] = [None, ["left"], ["right"]]

    async def look_up_all() -> list[list[MatchReport]]:
        await shared.match([MatchQuery({"pdq": PDQS[0]})], None)  # builds the index
        batches.clear()
        return await asyncio.gather(*(shared.match([MatchQuery({"pdq": pdq})], scopes[index % 3]) for index, pdq in enumerate(PDQS)))

    answers = asyncio.run(look_up_all())
    assert sorted(batches) == [2, 3, 3]  # eight lookups, three scopes, three batches
    for index, (pdq, answer) in enumerate(zip(PDQS, answers, strict=True)):
        scope = scopes[index % 3]
        owner = "left" if PDQS.index(pdq) < 4 else "right"
        expected = [f"{owner}-{PDQS.index(pdq) % 4}"] if scope is None or owner in scope else []
        assert [match.ref for match in answer[0].matches] == expected, (index, scope)


def test_an_error_while_matching_a_batch_reaches_every_caller_in_it_instead_of_leaving_them_waiting(db: str) -> None:
    shared, _ = _shared(db)

    async def look_up() -> list[BaseException | list[MatchReport]]:
        await shared.match([], None)
        return await asyncio.gather(shared.match([MatchQuery({"pdq": "not hex"})], None), shared.match([MatchQuery({"pdq": PDQS[0]})], None),
                                    return_exceptions=True)

    assert all(isinstance(answer, ValueError) for answer in asyncio.run(look_up()))
