"""What a user reads: verified statements first, about the subject asked, and nothing that no
source supports. A small corpus in a style unlike the sample's; real store, database, FAISS and
MiniLM; the model is scripted (its text is what is being checked), or the real small one."""

from __future__ import annotations

import pytest

from assistant.answer import NOT_FOUND_TEXT

from .helpers import KB, ScriptedLLM

DOCUMENTS = {
    "harbour_brief.txt": "Harbour Freight Lines results brief\n\nHarbour Freight Lines carried 2.1 million "
                         "containers in 2023. The operator's effective tax rate was 18.5% for the year. Its main "
                         "terminal sits in Gdynia, Poland.",
    "quarry_brief.txt": "Quarrystone Materials results brief\n\nQuarrystone Materials sold 40 million tonnes of "
                        "aggregates in 2023. The group's effective tax rate was 24.1% for the year.",
    "ticagrelor_note.txt": "Ticagrelor prescribing note\n\nIn the trial, the maintenance dose was 90 mg twice "
                           "daily after a 180 mg loading dose. Dyspnea was reported in 13.8% of patients.",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory, embedder) -> KB:
    corpus = tmp_path_factory.mktemp("corpus")
    for name, text in DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return KB(tmp_path_factory.mktemp("home"), embedder, corpus)


def ask(home: KB, question: str, reply: str = ""):
    return home.assistant(ScriptedLLM(reply)).ask(question)


def test_passages_about_another_company_are_not_offered_as_the_answer(home):
    answer = ask(home, "What was the effective tax rate of Quarrystone Materials?")
    assert answer.found and "24.1%" in answer.answer and "18.5" not in answer.answer
    assert {p.title for p in answer.passages} == {"Quarrystone Materials results brief"}


def test_a_name_no_extractor_found_still_links_to_the_passage_that_writes_it(home):
    answer = ask(home, "How many containers did Harbour Freight Lines carry?")
    assert answer.found and "2.1 million containers" in answer.claims[0].sentence
    assert answer.claims[0].citations == [answer.passages[0].ref]


def test_a_quoted_sentence_carries_its_citation_and_its_span_in_the_document(home):
    answer = ask(home, "What is the maintenance dose of ticagrelor?")
    quote = answer.claims[0]
    assert "90 mg twice daily" in quote.sentence and quote.span is not None
    start, end = quote.span
    assert DOCUMENTS["ticagrelor_note.txt"][start:end] in quote.sentence


def test_model_text_that_no_source_supports_never_reaches_the_answer(home):
    invented = "Ticagrelor was discovered by Dr. Zorblat in 1922 [P1]."
    answer = ask(home, "What is the maintenance dose of ticagrelor?", invented)
    assert "Zorblat" not in answer.answer and "1922" not in answer.answer
    assert [c.sentence for c in answer.unsupported] == [invented]
    assert answer.to_json()["unsupported"][0]["sentence"] == invented


def test_a_company_no_document_names_is_not_found_and_the_model_is_not_asked(home):
    llm = ScriptedLLM("Rolls-Royce is led by Tufan Erginbilgic [P1].")
    answer = home.assistant(llm).ask("Who is the CEO of Rolls-Royce?")
    assert not answer.found and answer.answer == NOT_FOUND_TEXT and llm.prompts == []


@pytest.mark.slow
def test_on_the_small_model_the_answer_is_led_by_its_sources(home, llm):
    answer = home.assistant(llm).ask("What was the effective tax rate of Harbour Freight Lines?")
    assert answer.claims[0].sentence.startswith("According to") and "18.5%" in answer.claims[0].sentence
    assert all(c.supported for c in answer.claims if c.sentence in answer.answer)


def test_with_a_capable_model_its_verified_sentences_lead_and_the_sources_follow(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "quarry_brief.txt").write_text(DOCUMENTS["quarry_brief.txt"], encoding="utf-8")
    kb = KB(tmp_path / "home", embedder, corpus, answer_lead="model")
    reply = "Quarrystone Materials had an effective tax rate of 24.1% [P1]."
    answer = kb.assistant(ScriptedLLM(reply)).ask("What was the effective tax rate of Quarrystone Materials?")
    assert answer.answer.startswith(reply)
