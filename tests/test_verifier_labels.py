"""The answer verifier against model sentences labelled by hand (tests/fixtures/verifier_sentences.jsonl,
scored by bench/verifier.py): it must catch nearly every unsupported sentence without flagging
most supported ones. Fast: no model, no store."""

from __future__ import annotations

from bench.verifier import FIXTURE, load, score

MIN_CATCH_RATE = 0.95
#: Of supported sentences that state something: a guard against the verifier rejecting everything.
#: Sentences with no claim ("I hope this helps") may be flagged: kept out of an answer, they cost nothing.
MAX_FALSE_FLAG_RATE = 0.60


def test_the_fixture_is_a_real_labelled_set():
    items = load(FIXTURE)
    assert len(items) >= 200
    assert len({i["id"] for i in items}) == len(items)
    assert len({(i["question"], i["sentence"]) for i in items}) == len(items)
    for item in items:
        assert item["label"] in ("supported", "unsupported"), item["id"]
        assert item["why"], item["id"]
        for ref, source in item["sources"].items():
            assert source["kind"] == ("fact" if ref.startswith("F") else "passage"), (item["id"], ref)
    labels = {i["label"] for i in items}
    assert labels == {"supported", "unsupported"}


def test_the_verifier_catches_unsupported_sentences_and_spares_most_supported_claims():
    result = score(load(FIXTURE))
    misses = "\n".join(f"  {m['id']}: {m['sentence']} ({m['why']})" for m in result["misses"][:15])
    assert result["catch_rate"] >= MIN_CATCH_RATE, (
        f"caught {result['caught']} of {result['unsupported']} unsupported sentences "
        f"({result['catch_rate']:.0%} < {MIN_CATCH_RATE:.0%}); missed, first 15:\n{misses}")
    flags = "\n".join(f"  {m['id']}: {m['sentence']} ({m['reason']})" for m in result["false_flagged"][:15])
    assert result["false_flag_rate_claims"] <= MAX_FALSE_FLAG_RATE, (
        f"flagged {result['false_flags']} of {result['supported']} supported sentences "
        f"({result['false_flag_rate']:.0%} > {MAX_FALSE_FLAG_RATE:.0%}); first 15:\n{flags}")
