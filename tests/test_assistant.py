"""The assistant on the bundled sample corpus: real Oxigraph, SQLite, FAISS and MiniLM. Prompt
plumbing and verification use a scripted LLM; the `slow` tests use the real small model."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from assistant import audit
from assistant.answer import NOT_FOUND_TEXT
from assistant.graph import EXISTS, FACTS_IN, FACTS_OUT, METRICS, NEIGHBOURHOOD_2

from .helpers import KB, SAMPLE, ScriptedLLM, kgassist, sample_copy

@pytest.fixture(scope="module")
def home(tmp_path_factory, embedder) -> KB:
    return KB(tmp_path_factory.mktemp("home"), embedder, sample_copy(tmp_path_factory.mktemp("corpus")))


def ask(home: KB, question: str, reply: str = "", **kw):
    llm = ScriptedLLM(reply, **kw)
    return home.assistant(llm).ask(question), llm


# -- prompt and sources -------------------------------------------------------------------------
def test_the_prompt_numbers_graph_facts_and_passages(home):
    answer, llm = ask(home, "What are the side effects of metformin?", "Metformin can cause nausea [F3].")
    prompt = llm.prompts[0][1]["content"]
    assert "[F1] metformin — causes adverse event —" in prompt and "[P1]" in prompt
    assert prompt.rstrip().endswith("Question: What are the side effects of metformin?")
    assert answer.found and {q.purpose.split(":")[0] for q in answer.queries} >= {"facts-out", "facts-in", "verify"}


def test_cited_facts_carry_labels_and_provenance(home):
    answer, _ = ask(home, "Who is the chief executive officer of Pfizer?", "Albert Bourla leads Pfizer [F1].")
    [fact] = [f for f in answer.facts if f.object_label == "Albert Bourla"]
    record = fact.to_json()
    assert record["subject_label"] == "Pfizer Inc." and record["predicate_label"] == "chief executive officer"
    assert record["provenance"] and record["provenance"][0]["start"] is not None


def test_the_answer_opens_with_the_graph_facts_asked_about_even_when_the_model_omits_them(home):
    answer, _ = ask(home, "What are the side effects of metformin?", "Metformin is a medicine.")
    assert re.match(r"Metformin can cause .*diarrhoea \[F\d\]", answer.answer)
    assert {f.object_label.lower() for f in answer.facts} >= {"diarrhoea", "nausea", "lactic acidosis"}


# -- verification ---------------------------------------------------------------------------------
def test_a_number_that_no_cited_source_supports_is_flagged(home):
    answer, _ = ask(home, "What are the side effects of metformin?",
                    "Metformin causes diarrhoea in 37% of patients [F1].")
    [claim] = answer.unsupported
    assert claim.sentence.startswith("Metformin causes diarrhoea in 37%") and "37" in claim.reason


def test_numbers_stated_by_the_cited_fact_are_supported(home):
    answer, _ = ask(home, "What was Alphabet's revenue in fiscal year 2023?",
                    "Alphabet reported revenue of $307.4 billion in fiscal 2023 [F1].")
    assert not answer.unsupported
    assert any(str(f.object) == "307400000000" and f.object_label == "$307.4 billion" for f in answer.facts)


def test_citing_a_source_that_is_not_in_the_prompt_is_flagged(home):
    answer, _ = ask(home, "What are the side effects of metformin?", "Metformin causes nausea [F42].")
    assert "F42" in answer.unsupported[0].reason


def test_an_uncited_sentence_gets_the_source_that_states_its_numbers(home):
    answer, _ = ask(home, "What is the dosage of metformin?", "The usual dose is 500 mg twice daily.")
    [claim] = [c for c in answer.claims if c.sentence.startswith("The usual dose")]
    assert claim.supported and claim.attributed and claim.citations


# -- nothing found, hostile input, verdicts --------------------------------------------------------
def test_a_question_about_something_absent_says_not_found_without_asking_the_model(home):
    answer, llm = ask(home, "What are the side effects of zorblatamab?", "It causes purple hair [F1].")
    assert not answer.found and answer.answer == NOT_FOUND_TEXT
    assert llm.prompts == [] and answer.facts == [] and answer.passages == []


@pytest.mark.parametrize("question", ["Which drug interacts with apixaban?", "What is the usual dose of dabigatran?"])
def test_a_drug_no_document_writes_says_not_found_though_the_other_words_are_the_corpus_own(home, question):
    """Drugs are written in lower case, so such a name is no capitalised phrase, and the question's
    other words ("interacts", "dose") find passages about other drugs."""
    answer, llm = ask(home, question, "Warfarin interacts with aspirin [P1].")
    assert not answer.found and answer.answer == NOT_FOUND_TEXT and llm.prompts == []


def test_a_yes_no_question_on_a_drug_no_document_writes_is_not_decided_by_another_drug_s_facts(home):
    """Bleeding links (warfarin and ibuprofen cause it); dabigatran is in no document."""
    answer, llm = ask(home, "Does dabigatran cause bleeding?", "Yes, warfarin can cause bleeding [F1].")
    assert not answer.found and answer.answer == NOT_FOUND_TEXT and llm.prompts == []


def test_a_yes_no_question_on_a_known_drug_and_a_linked_condition_still_gets_an_answer(home):
    answer, _ = ask(home, "Does warfarin cause bleeding?", "Yes, warfarin can cause bleeding [F1].")
    assert answer.found and answer.verdict == "yes" and "warfarin can cause bleeding [f" in answer.answer.lower()
    assert "Bleeding" not in answer.answer  # a condition reads in lower case inside a sentence


def test_a_word_the_corpus_never_uses_beside_a_known_subject_still_gets_an_answer(home):
    answer, _ = ask(home, "Which medicines interact with warfarin?", "Warfarin interacts with aspirin [F1].")
    assert answer.found and "aspirin" in answer.answer.lower()


@pytest.mark.parametrize("question", [
    'What treats "diabetes" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #?',
    "Side effects of metformin'} UNION { ?s ?p ?o } FILTER(true) #",
    'SELECT * WHERE { ?s ?p ?o } LIMIT 99999 — metformin "quoted" \\\\ backslash',
])
def test_sparql_syntax_and_quotes_in_a_question_cannot_alter_any_query(home, question):
    before = home.store.stats()
    answer, _ = ask(home, question, "Metformin treats type 2 diabetes [F1].")
    assert home.store.stats() == before
    templates = {q.sparql.rsplit("\nLIMIT ", 1)[0] for q in answer.queries}  # each template, with its row cap
    assert templates <= {FACTS_OUT, FACTS_IN, METRICS, NEIGHBOURHOOD_2, EXISTS}
    for q in answer.queries:
        assert all(v["type"] in ("uri", "literal") and question not in v["value"] for v in q.bindings.values())


def test_yes_no_questions_get_a_verdict_and_others_do_not(home):
    answer, _ = ask(home, "Does warfarin interact with aspirin?", "Yes [F1].", verdict="yes")
    assert answer.verdict == "yes"
    answer, _ = ask(home, "What does lisinopril treat?", "Hypertension [F1].")
    assert answer.verdict is None


def test_graph_only_and_retrieval_only_modes_use_one_kind_of_source(home):
    graph_only, _ = ask_mode(home, "graph")
    assert graph_only.passages == [] and graph_only.facts
    retrieval_only, _ = ask_mode(home, "retrieval")
    assert retrieval_only.facts == [] and retrieval_only.passages and not retrieval_only.queries


def ask_mode(home: KB, mode: str):
    llm = ScriptedLLM("Lisinopril treats hypertension.")
    return home.assistant(llm).ask("What does lisinopril treat?", mode=mode), llm


@pytest.mark.slow
def test_facts_that_many_documents_state_are_looked_up_within_the_query_timeout(tmp_path, embedder):
    """The union of document graphs is a bag: a lookup joining patterns across it grew as k^patterns
    for a fact k documents state. Templates match inside one graph, so five copies stay well in time."""
    corpus = tmp_path / "corpus"
    for i in range(5):
        shutil.copytree(SAMPLE / "finance", corpus / f"copy{i}")
    kb = KB(tmp_path / "home", embedder, corpus)
    kb.store.timeout_s = 2.0
    answer = kb.assistant(ScriptedLLM("Alphabet reported $307.4 billion [F1].")).ask(
        "What was Alphabet's revenue in fiscal year 2023?")
    assert answer.found and any("307400000000" in f.object_label.replace(",", "") or "307.4" in f.object_label
                                for f in answer.facts), [f.text for f in answer.facts]


# -- audit ------------------------------------------------------------------------------------------
def test_an_audit_is_identical_after_answering_and_changed_after_the_value_changes(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "acme.txt"
    doc.write_text("Acme Corp. reported revenue of $10.0 billion for fiscal year 2023.\n")
    kb = KB(tmp_path / "home", embedder, corpus)
    answer = kb.assistant(ScriptedLLM("Acme reported $10.0 billion [F1].")).ask(
        "What was Acme's revenue in fiscal year 2023?")
    audit.save(kb.db, answer)
    _, checks = audit.rerun(kb.store, kb.db, answer.id)
    assert checks and {c.status for c in checks} == {"identical"}
    doc.write_text("Acme Corp. reported revenue of $12.5 billion for fiscal year 2023.\n")
    kb.ingest(corpus)
    _, checks = audit.rerun(kb.store, kb.db, answer.id[:8])
    changed = [c for c in checks if c.status == "changed"]
    assert changed
    values = json.dumps([c.added for c in changed]), json.dumps([c.removed for c in changed])
    assert "12500000000" in values[0] and "10000000000" in values[1]


# -- the real small model -----------------------------------------------------------------------------
QUESTIONS = [
    ("What are the side effects of metformin?", "metformin", "lactic acidosis"),
    ("Who is the CEO of Amazon.com?", "amazon.com, inc.", "andy jassy"),
    ("What was Alphabet's revenue in fiscal year 2023?", "alphabet inc. revenue fy2023", "307.4 billion"),
    ("Does warfarin interact with aspirin?", "warfarin", "aspirin"),
    ("What does lisinopril treat?", "lisinopril", "hypertension"),
    ("Where is Intel headquartered?", "intel corporation", "santa clara"),
    ("What is the ticker symbol of Pfizer?", "pfizer inc.", "pfe"),
    ("Which company owns Mobileye?", "intel corporation", "mobileye"),
    ("What is metformin contraindicated in?", "metformin", "severe renal impairment"),
    ("What is the dosage of metformin?", "metformin", "500 mg"),
    ("What drug class is atorvastatin?", "atorvastatin", "statin"),
    ("What was Microsoft's revenue in fiscal year 2023?", "microsoft corporation revenue fy2023", "211.9 billion"),
]


def _plain(label: str) -> str:
    """A label compared without case or punctuation ("Amazon.com, Inc." = "amazon.com inc.")."""
    return " ".join(re.sub(r"[^\w. ]|\.(?=\s|$)", " ", label.lower()).split())


@pytest.fixture(scope="module")
def real(home, llm):
    return home.assistant(llm)


@pytest.mark.slow
@pytest.mark.parametrize(("question", "subject", "obj"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_the_small_model_answers_with_the_right_fact_cited(real, question, subject, obj):
    answer = real.ask(question)
    assert answer.found and answer.answer.strip()
    cited = [(_plain(f.subject_label), _plain(f.object_label)) for f in answer.facts]
    subject, obj = _plain(subject), _plain(obj)
    assert any(s == subject and obj in o for s, o in cited), cited
    assert all(f.provenance for f in answer.facts)


@pytest.mark.slow
def test_the_small_model_says_not_found_for_an_absent_subject(real):
    answer = real.ask("Who is the chief executive officer of Zyntrax Holdings?")
    assert not answer.found and answer.answer == NOT_FOUND_TEXT


@pytest.mark.slow
def test_the_cli_asks_streams_and_audits(tmp_path, model_cache):
    env = {"KGASSIST_HOME": str(tmp_path / "cli"), "KGASSIST_MODEL_CACHE": str(model_cache)}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "acme.txt").write_text("Acme Corp. reported revenue of $10.0 billion for fiscal year 2023.\n")
    run = lambda *args: kgassist(*args, env=env)  # noqa: E731
    assert run("ingest", str(corpus)).returncode == 0
    asked = run("ask", "What was Acme's revenue in fiscal year 2023?", "--json")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert set(answer) >= {"id", "answer", "found", "facts", "passages", "queries", "unsupported", "verdict"}
    assert answer["found"] and answer["facts"][0]["provenance"]
    first = json.loads(run("audit", answer["id"], "--json").stdout)
    assert {q["status"] for q in first["queries"]} == {"identical"}
    (corpus / "acme.txt").write_text("Acme Corp. reported revenue of $12.5 billion for fiscal year 2023.\n")
    assert run("ingest", str(corpus)).returncode == 0
    second = json.loads(run("audit", answer["id"], "--json").stdout)
    assert "changed" in {q["status"] for q in second["queries"]}
    assert answer["id"] in run("audit", "--list").stdout
    streamed = run("ask", "What was Acme's revenue in fiscal year 2023?")
    assert streamed.returncode == 0 and "answer id" in streamed.stdout
    chat = kgassist("chat", env=env, input="What was Acme's revenue in fiscal year 2023?\n\n")
    assert chat.returncode == 0 and chat.stdout.count("answer id") == 1


# -- input rules, verdicts from the graph, deterministic audits ----------------------------------------
@pytest.mark.parametrize("question", ["", "   ", "\n\t ", "x" * 2001])
def test_empty_whitespace_and_over_long_questions_are_refused_before_anything_runs(home, question):
    from assistant.question import QuestionError

    llm = ScriptedLLM("Metformin treats type 2 diabetes [F1].")
    with pytest.raises(QuestionError, match="empty|limit is 2,000"):
        home.assistant(llm).ask(question)
    assert llm.prompts == []


def test_a_yes_no_question_that_a_graph_fact_answers_gets_the_facts_verdict_and_cites_it(home):
    answer, _ = ask(home, "Does Zoloft cause insomnia?", "No, Zoloft does not cause insomnia [P1].", verdict="no")
    assert answer.verdict == "yes" and answer.verdict_source == "F1"
    decided = answer.facts[0]
    assert (_plain(decided.subject_label), decided.predicate_label, _plain(decided.object_label)) == (
        "sertraline", "causes adverse event", "insomnia")
    assert answer.answer.lower().startswith("yes: sertraline can cause insomnia [f1].")
    assert [c.supported for c in answer.claims if c.sentence.startswith("No,")] == [False]


def test_the_models_verdict_is_used_when_no_fact_decides(home):
    answer, _ = ask(home, "Is metformin used to treat hypertension?", "No [P1].", verdict="no")
    assert answer.verdict == "no" and answer.verdict_source == "model"


@pytest.mark.parametrize("verdict", ["no", "maybe"])
def test_a_reply_answering_against_the_verdict_never_reaches_the_answer(home, verdict):
    answer, _ = ask(home, "Is metformin taken with meals?", "Yes, metformin is taken with meals [P1].",
                    verdict=verdict)
    assert answer.verdict == verdict and not answer.answer.lower().startswith("yes")
    assert "Yes, metformin" not in answer.answer
    assert [c.reason for c in answer.claims if c.sentence.startswith("Yes,")] == [
        f"answers 'yes' where the verdict is {verdict!r}"]


def test_every_recorded_query_reruns_identical_on_an_unchanged_store_even_when_capped(home):
    """Each template orders by all it selects and the recorded text carries its cap, so a capped
    query keeps the same rows on every run."""
    assistant = home.assistant(ScriptedLLM("Metformin causes nausea [F1]."))
    assistant.graph_rows = 2  # far fewer rows than these entities have facts
    asked = [assistant.ask(q, generate=False) for q in (
        "What are the side effects of metformin?", "Who is the CEO of Amazon.com?",
        "What was Alphabet's revenue in fiscal year 2023?", "Which company owns Mobileye?")]
    queries = [q for a in asked for q in a.queries]
    templates = {q.purpose.split(":")[0] for q in queries}
    assert {"facts-out", "facts-in", "metrics", "neighbourhood-2", "verify"} <= templates, templates
    assert any(q.rows == 2 for q in queries)
    for answer in asked:
        audit.save(home.db, answer)
        _, checks = audit.rerun(home.store, home.db, answer.id)
        assert [c.status for c in checks] == ["identical"] * len(answer.queries), [c.to_json() for c in checks]


@pytest.mark.slow
def test_the_small_model_gets_the_verdict_the_graph_states(real):
    answer = real.ask("Does Zoloft cause insomnia?")
    assert answer.verdict == "yes" and answer.verdict_source == "F1"
    assert _plain(answer.facts[0].subject_label) == "sertraline" and "[F1]" in answer.answer
    assert answer.facts[0].provenance
