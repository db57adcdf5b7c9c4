"""The answer path's components, each alone on small inputs written here: the question parser, the
entity linker, reciprocal rank fusion, the relevance gate and the verifier. No store, no model."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal, URIRef

from assistant.gate import relevant
from assistant.graph import Fact
from assistant.linking import EntityLinker
from assistant.question import Question, QuestionError
from assistant.retrieval import Passage, fuse
from assistant.verify import Verifier
from ingestion.numbers import numbers_in, parse_number, scale_of
from kgstore import vocab

E = "https://example.org/e/"
METFORMIN, T2D, PFIZER, BOURLA, AMD = (URIRef(E + n) for n in ("metformin", "t2d", "pfizer", "bourla", "amd"))
LABELS = [(METFORMIN, "metformin", vocab.DRUG), (METFORMIN, "Glucophage", vocab.DRUG),
          (T2D, "type 2 diabetes", vocab.DISEASE), (PFIZER, "Pfizer Inc.", vocab.COMPANY),
          (BOURLA, "Albert Bourla", vocab.PERSON), (AMD, "ADVANCED MICRO DEVICES, INC.", vocab.COMPANY)]


def fact(s, p, o, sl, pl, ol, ref="F1") -> Fact:  # noqa: ANN001
    found = Fact(s, p, o, sl, pl, ol)
    found.ref = ref
    return found


def passage(text: str, ref: str = "P1", dense: float | None = 0.5, lexical: float | None = 1.0) -> Passage:
    return Passage(1, "doc.txt", "doc", 0, len(text), text, 0.1, dense, lexical, ref)


# -- the question ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "yes_no", "relations"), [
    ("Does metformin cause nausea?", True, {vocab.CAUSES_ADVERSE_EVENT}),
    ("What does lisinopril treat?", False, {vocab.TREATS}),
    ("Who is the CEO of Pfizer?", False, {vocab.CEO}),
    ("Is Intel headquartered in Santa Clara?", True, {vocab.HEADQUARTERED_IN}),
    ("What was Alphabet's revenue in fiscal year 2023?", False, {vocab.REPORTED_METRIC}),
])
def test_a_question_is_parsed_once_into_what_every_stage_reads(text, yes_no, relations):
    q = Question.parse(text)
    assert q.yes_no is yes_no and relations <= q.relations
    assert q.text == text and q.terms and all(t == t.lower() for t in q.terms)


def test_a_question_knows_its_names_years_and_what_it_mentions():
    q = Question.parse("  What was Alphabet's revenue in fiscal year 2023 and 2024?  ")
    assert q.text.startswith("What") and q.years == {"2023", "2024"} and "alphabet" in q.names
    assert q.mentions("Alphabet") and q.mentions("fiscal year") and not q.mentions("fisc")
    with pytest.raises(QuestionError):
        Question.parse(" \n ")


# -- the linker ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "entity", "method"), [
    ("What does metformin treat?", METFORMIN, "exact"),
    ("Side effects of Glucophage?", METFORMIN, "exact"),          # an alias
    ("Is metformin used for type 2 diabetes?", T2D, "exact"),     # several words
    ("What does metfromin treat?", METFORMIN, "fuzzy"),           # a typo
    ("Who runs Pfizer?", PFIZER, "exact"),                         # legal suffix left out
    ("Who is Albert Bourla?", BOURLA, "exact"),
    ("What was AMD's revenue in FY2022?", AMD, "initials"),       # a company by its initials
])
def test_the_linker_finds_the_entity_a_question_names(text, entity, method):
    links = EntityLinker(LABELS).link(Question.parse(text))
    assert any(lk.entity == entity and lk.method == method for lk in links), links


def test_the_linker_links_nothing_for_words_the_graph_does_not_know():
    assert EntityLinker(LABELS).link(Question.parse("What is the capital of France?")) == []
    assert EntityLinker(LABELS).link(Question.parse("Is amd a word here?")) == []  # initials are capitals


# -- fusion -----------------------------------------------------------------------------------------------
def test_reciprocal_rank_fusion_rewards_agreement_and_keeps_first_come_order_on_ties():
    dense, lexical = [(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 9.0), (4, 8.0)]
    fused = fuse([dense, lexical], k=60)
    assert [cid for cid, _ in fused] == [3, 1, 2, 4]  # 3 is in both; 2 and 4 tie (second place): dense first
    assert fused[0][1] == pytest.approx(1 / 63 + 1 / 61)
    assert fuse([[], []]) == [] and [c for c, _ in fuse([dense])] == [1, 2, 3]


# -- the relevance gate ------------------------------------------------------------------------------------
def df_of(words: dict[str, int]):  # noqa: ANN201
    return lambda term: words.get(term, 0)


def test_the_gate_passes_linked_facts_and_passages_on_covered_subjects():
    q = Question.parse("What does metformin treat?")
    links = EntityLinker(LABELS).link(q)
    treats = fact(METFORMIN, vocab.TREATS, T2D, "metformin", "treats", "type 2 diabetes")
    assert relevant(q, links, [treats], [], df_of({}))
    assert relevant(q, [], [], [passage("Metformin treats type 2 diabetes.")], df_of({"metformin": 3, "treat": 2}))


@pytest.mark.parametrize(("question", "known"), [
    ("Who is the chief executive officer of Zyntrax Holdings?", {"chief": 2, "executive": 2, "officer": 2}),
    ("What are the side effects of zorblatamab?", {}),
    ("Which quasars emit gamma bursts?", {"gamma": 1}),
])
def test_the_gate_refuses_names_and_subjects_the_corpus_never_mentions(question, known):
    assert not relevant(Question.parse(question), [], [], [passage("Metformin treats type 2 diabetes.")],
                        df_of(known))


def test_the_gate_refuses_when_nothing_was_found_at_all():
    assert not relevant(Question.parse("What does metformin treat?"), [], [], [], df_of({"metformin": 1}))


# -- the verifier ------------------------------------------------------------------------------------------
@pytest.fixture
def verifier() -> Verifier:
    revenue = fact(URIRef(E + "obs"), vocab.VALUE, Literal("307400000000"), "Alphabet Inc. revenue FY2023", "value",
                   "307400000000 USD (307.4 billion)", "F1")
    ceo = fact(PFIZER, vocab.CEO, BOURLA, "Pfizer Inc.", "chief executive officer", "Albert Bourla", "F2")
    text = "Metformin may cause lactic acidosis; the usual dose is 500 mg twice daily."
    return Verifier([revenue, ceo], [passage(text, "P1")])


@pytest.mark.parametrize("sentence", [
    "Alphabet's revenue was $307.4 billion in fiscal 2023 [F1].",
    "Alphabet Inc. reported revenues of 307,400 million US dollars for FY2023 [F1].",
    "Metformin may cause lactic acidosis [P1].",
    "Revenue reached 307,400 million dollars in FY2023 [F1].",
    "Albert Bourla is the CEO of Pfizer Inc. [F2].",
    "The usual dose of metformin is 500 mg [P1].",
    "The knowledge base does not contain the answer.",
])
def test_the_verifier_supports_what_the_cited_source_states(verifier, sentence):
    claim = verifier.check(sentence)
    assert claim.supported, claim.reason


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Alphabet's revenue was $9 billion [F1].", "9000000000"),
    ("Albert Bourla is the CEO of Pfizer Inc. [F1].", "'albert'"),
    ("The usual dose of metformin is 850 mg [P1].", "850"),
    ("Metformin causes nausea [F7].", "F7"),
    ("Revenue was $12 billion.", "no cited source"),
    ("Therefore, the correct answer would be Ayssiparibal [P1].", "'ayssiparibal'"),
    ("Custodictical Revenue = Total Revenue - Nonprofit Revenue [F1].", "'custodictical'"),
    ("Albert Bourla is the CEO of Pfizer Inc., headquartered in Batsavløtland [F2].", "'batsavløtland'"),
    ("Metformin does not cause lactic acidosis [P1].", "'not'"),
    ("Alphabet's revenue was $309 billion in fiscal 2023 [F1].", "309000000000"),
    ("Metformin works by inhibiting hepatic gluconeogenesis [P1].", "'works'"),
])
def test_the_verifier_flags_numbers_names_and_citations_the_sources_do_not_back(verifier, sentence, reason):
    claim = verifier.check(sentence)
    assert not claim.supported and reason in claim.reason


def test_an_uncited_sentence_gets_the_source_that_states_it(verifier):
    claim = verifier.check("The usual dose is 500 mg twice daily.")
    assert claim.supported and claim.attributed and claim.citations == ["P1"]


# Table rows as the CSV loader renders them: one `column: value; ...` line per row.
DRUG_ROWS = ("drug: warfarin; drug_class: anticoagulant; common_side_effects: bleeding; contraindications: pregnancy; "
             "usual_adult_dose: 5 mg once daily\n"
             "drug: atorvastatin; drug_class: statin; common_side_effects: muscle pain; contraindications: liver disease\n"
             "drug: metformin; drug_class: biguanide; common_side_effects: nausea; usual_adult_dose: 500 mg twice daily")
FIGURE_ROWS = ("company: Apple Inc.; metric: revenue; value: 383.3; unit: USD; scale: billions; period: FY2023\n"
               "company: Apple Inc.; metric: net income; value: 97.0; unit: USD; scale: billions; period: FY2023")


@pytest.mark.parametrize("sentence", [
    "Warfarin is contraindicated in pregnancy [P1].",
    "Warfarin's common side effects include bleeding [P1].",
    "Warfarin, an anticoagulant drug, is contraindicated in pregnancy [P1].",
    "The usual adult dose of metformin is 500 mg twice daily [P1].",
    "Apple's revenue was $383.3 billion in FY2023 [P2].",  # the value scaled by its row's "scale" column
    "Apple Inc.'s net income was 97.0 billion US dollars [P2].",
])
def test_a_table_row_supports_what_it_states_about_its_subject(sentence):
    claim = Verifier([], [passage(DRUG_ROWS, "P1"), passage(FIGURE_ROWS, "P2")]).check(sentence)
    assert claim.supported, claim.reason


@pytest.mark.parametrize(("sentence", "reason"), [
    # every word is in warfarin's row, but pregnancy is its contraindication, not a side effect (real model text)
    ("The passage states that warfarin is contraindicated in pregnancy, which is a common side effect of warfarin. [P1]",
     "names a column"),
    ("Atorvastatin has common side effects of bleeding [P1].", "no one row"),       # words of two rows
    ("The usual adult dose of warfarin is 500 mg twice daily [P1].", "no one row"),  # metformin's dose
    ("It is contraindicated in liver disease [P1].", "does not name"),              # whose row?
    ("Apple's net income was $383.3 billion in FY2023 [P2].", "no one row"),        # the revenue row's value
])
def test_words_taken_from_different_rows_or_columns_state_nothing(sentence, reason):
    claim = Verifier([], [passage(DRUG_ROWS, "P1"), passage(FIGURE_ROWS, "P2")]).check(sentence)
    assert not claim.supported and reason in claim.reason, claim.reason


# -- the one number parser -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("$4.2 billion", [Decimal("4200000000")]), ("12.9 bn and 22.4%", [Decimal("12900000000"), Decimal("22.4")]),
    ("(1,577) million", [Decimal("1577000000")]), ("FY2023", [Decimal("2023")]), ("no figure", []),
])
def test_numbers_are_read_as_people_write_them(text, expected):
    assert numbers_in(text) == expected


def test_cells_keep_their_sign_and_scale_notes_their_multiplier():
    assert parse_number("(1,577)") == Decimal("-1577") and parse_number("-3.5") == Decimal("-3.5")
    assert parse_number("$12.9") == Decimal("12.9") and parse_number("n/a") is None
    assert [scale_of(w) for w in ("millions", "Thousand", "bn", "", "units")] == [
        Decimal(10) ** 6, Decimal(10) ** 3, Decimal(10) ** 9, 1, 1]
