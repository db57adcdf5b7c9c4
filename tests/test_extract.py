"""The deterministic extractors find the domain relations with spans; the LLM reply parser repairs or drops."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal

from ingestion.chunking import chunk
from ingestion.extract.base import Mention, Node
from ingestion.extract.gazetteer import default_gazetteer
from ingestion.extract.llm import LLMExtractor, parse_reply
from ingestion.extract.patterns import PatternExtractor
from ingestion.extract.table import TableMapper, load_mappings
from ingestion.loaders import LoadedDocument
from kgstore import vocab


def _doc(text: str, media_type: str = "text/plain", uri: str = "doc.txt") -> LoadedDocument:
    return LoadedDocument(uri=uri, text=text, media_type=media_type, title="")


def _triples(text: str, **kw) -> set[tuple[str, str, str]]:
    out = set()
    for e in PatternExtractor().extract(_doc(text, **kw)):
        s = e.subject.text if isinstance(e.subject, Mention) else e.subject.label
        o = e.object.text if isinstance(e.object, Mention) else e.object.label if isinstance(e.object, Node) \
            else str(e.object)
        out.add((s.lower(), str(e.predicate).split("#")[-1], o.lower()))
        assert 0 <= e.start < e.end <= len(text) and e.extractor == "patterns"
        assert not isinstance(e.object, Mention) or e.start <= e.object.start < e.object.end <= e.end
    return out


@pytest.mark.parametrize("sentence, triple", [
    ("Metformin is used to treat type 2 diabetes.", ("metformin", "treats", "type 2 diabetes")),
    ("A common side effect of metformin is diarrhoea.", ("metformin", "causesAdverseEvent", "diarrhoea")),
    ("Lactic acidosis is a rare adverse effect of metformin.", ("metformin", "causesAdverseEvent", "lactic acidosis")),
    ("Intravenous azithromycin-induced ototoxicity.", ("azithromycin", "causesAdverseEvent", "ototoxicity")),
    ("He developed acute renal failure after cisplatin therapy.", ("cisplatin", "causesAdverseEvent",
                                                                    "acute renal failure")),
    ("Metformin is contraindicated in severe renal impairment.", ("metformin", "contraindicatedIn",
                                                                   "severe renal impairment")),
    ("Warfarin interacts with aspirin, which increases the risk of bleeding.", ("warfarin", "interactsWith", "aspirin")),
    ("The usual starting dose of metformin is 500 mg twice daily.", ("metformin", "dosage", "500 mg twice daily")),
])
def test_medical_relations_are_read_from_cue_phrases(sentence, triple):
    assert triple in _triples(sentence)


def test_negated_statements_are_not_extracted():
    assert not any(p == "treats" for _, p, _ in _triples("Metformin does not treat type 1 diabetes."))


def test_finance_metric_values_become_observations_with_unit_and_period():
    found = PatternExtractor().extract(_doc("Acme Corp. reported revenue of $12.5 billion for fiscal year 2023."))
    values = {str(e.predicate).split("#")[-1]: e.object for e in found if isinstance(e.subject, Node)}
    assert Decimal(str(values["value"])) == Decimal("12500000000")
    assert str(values["unit"]) == "USD" and str(values["period"]) == "FY2023"
    assert values["metric"].text == "revenue"
    assert ("acme corp.", "reportedMetric", "acme corp. revenue fy2023") in _triples(
        "Acme Corp. reported revenue of $12.5 billion for fiscal year 2023.")


def test_executives_subsidiaries_and_tickers_are_found():
    text = ("Jane Roe is the chief executive officer of Acme Corp. Widget Labs Inc. is a wholly owned subsidiary "
            "of Acme Corp. Acme Corp. trades on the NYSE under the ticker ACME.")
    found = _triples(text)
    assert ("acme corp.", "chiefExecutiveOfficer", "jane roe") in found
    assert ("acme corp.", "hasSubsidiary", "widget labs inc.") in found
    assert ("acme corp.", "tickerSymbol", "acme") in found


def test_statement_rows_give_one_value_per_year_with_the_concepts_sign():
    text = ("ACME CORP\nConsolidated Statements of Cash Flows (in millions)\n"
            "2023 2022 2021\nPurchases of property, plant and equipment (1,577) (1,373) (1,420)\n")
    found = PatternExtractor().extract(_doc(text, media_type="application/pdf", uri="/x/ACME_2023_10K.pdf"))
    values = {(str(e.subject.label)): str(e.object) for e in found
              if isinstance(e.subject, Node) and e.predicate == vocab.VALUE}
    assert values["ACME capital expenditure FY2022"] == "1373000000"  # a payment: positive, as in US-GAAP


def test_the_gazetteer_prefers_the_longest_label():
    g = default_gazetteer()
    [m] = [m for m in g.find("allergy to penicillin allergy") if m.text.startswith("penicillin")]
    assert m.text == "penicillin allergy"


def test_the_table_mapper_maps_columns_to_triples_and_typed_literals(tmp_path):
    from ingestion import loaders

    path = tmp_path / "drug_list.csv"
    path.write_text("drug,indication,common_side_effects,usual_adult_dose\n"
                    "metformin,type 2 diabetes,diarrhoea;nausea,500 mg twice daily\n")
    doc = loaders.load(path)
    from pathlib import Path

    mapper = TableMapper(load_mappings(Path(__file__).parents[1] / "ingestion" / "mappings" / "default.yaml"))
    found = {(e.subject.text, str(e.predicate).split("#")[-1], getattr(e.object, "text", str(e.object)))
             for e in mapper.extract(doc)}
    assert ("metformin", "treats", "type 2 diabetes") in found
    assert ("metformin", "causesAdverseEvent", "nausea") in found
    assert ("metformin", "dosage", "500 mg twice daily") in found
    for e in mapper.extract(doc):
        assert doc.text[e.object.start:e.object.end] == e.object.text if isinstance(e.object, Mention) else True


@pytest.mark.parametrize("reply, count", [
    ('{"triples": [{"subject": "metformin", "predicate": "treats", "object": "type 2 diabetes"}]}', 1),
    ('Sure! Here it is: {"triples": [{"subject": "metformin", "predicate": "treats", '
     '"object": "type 2 diabetes"},]} Hope this helps.', 1),
    ("[{'subject': 'metformin', 'predicate': 'treats', 'object': 'type 2 diabetes'}]", 1),
    ('{"triples": [{"subject": "metformin"}]}', None),
    ("I cannot help with that.", None),
])
def test_llm_replies_are_validated_repaired_or_dropped(reply, count):
    parsed = parse_reply(reply)
    assert (None if parsed is None else len(parsed.triples)) == count


def test_llm_triples_must_quote_the_text_and_use_allowed_predicates():
    text = "Metformin is used to treat type 2 diabetes."
    [c] = chunk(text)
    reply = ('{"triples": [{"subject": "metformin", "predicate": "treats", "object": "type 2 diabetes"}, '
             '{"subject": "metformin", "predicate": "treats", "object": "cancer"}, '
             '{"subject": "metformin", "predicate": "owns", "object": "type 2 diabetes"}]}')
    kept = LLMExtractor(llm=None).validated(text, c, reply)
    assert [(e.subject.text, e.object.text) for e in kept] == [("Metformin", "type 2 diabetes")]
    assert kept[0].extractor == "llm" and isinstance(kept[0].object, Mention)
    assert not isinstance(kept[0].object, Literal)


def test_long_digit_runs_in_filings_do_not_make_table_parsing_backtrack():
    text = "Revenue 2023 2022\nTotal revenues " + "1234567890" * 8 + " million dollars\n"
    assert PatternExtractor().extract(_doc(text, media_type="application/pdf", uri="/x/ACME_2023_10K.pdf")) == []


@pytest.mark.parametrize("text, triple", [
    ("Doxycycline hyclate — Class: tetracycline antibiotic — Indication: acne vulgaris — Contraindications: "
     "pregnancy; children under 8 years — Monitoring: none.", ("doxycycline hyclate", "drugClass", "tetracycline antibiotic")),
    ("Doxycycline hyclate — Class: tetracycline antibiotic — Indication: acne vulgaris — Contraindications: "
     "pregnancy; children under 8 years — Monitoring: none.", ("doxycycline hyclate", "contraindicatedIn", "pregnancy")),
    ("4.8 Undesirable effects — Adverse reactions reported with Zorvalin: Common (≥1/100 to <1/10): headache, "
     "insomnia.", ("zorvalin", "causesAdverseEvent", "headache")),
    ("Cardiology formulary — ACE inhibitors: ramipril (preferred), perindopril.", ("perindopril", "drugClass",
                                                                                  "ace inhibitor")),
    ("Phenytoin's clearance is reduced by several drugs, notably cimetidine and isoniazid.",
     ("phenytoin", "interactsWith", "isoniazid")),
    ("Start ceftriaxone 2 g IV q24h for CAP.", ("ceftriaxone", "treats", "cap")),
])
def test_flattened_labels_formularies_and_notes_are_read_field_by_field(text, triple):
    assert triple in _triples(text)


@pytest.mark.parametrize("text, wrong", [
    ("4.8 Undesirable effects — Adverse reactions reported with Zorvalin: Very common (≥1/10): nausea.",
     ("zorvalin", "causesAdverseEvent", "very common")),
    ("Combining sildenafil with isosorbide mononitrate can cause severe hypotension.",
     ("sildenafil", "causesAdverseEvent", "severe hypotension")),
    ("No cases of hepatotoxicity or pancreatitis were seen in patients receiving Velonix.",
     ("velonix", "causesAdverseEvent", "pancreatitis")),
    ("The aim was to evaluate whether atorvastatin prevents AF after cardiac surgery.",
     ("atorvastatin", "treats", "af")),
])
def test_frequency_bands_combinations_negated_clauses_and_study_aims_state_no_fact(text, wrong):
    assert wrong not in _triples(text)


@pytest.mark.parametrize("text, triple", [
    ("Shares of Brightline Foods (BLF.N) fell 2% on Tuesday.", ("brightline foods", "tickerSymbol", "BLF")),
    ("Meridian Textiles Ltd (NSE: MERIDTEXTL, BSE: 543219) closed higher.", ("meridian textiles ltd", "tickerSymbol",
                                                                             "543219")),
    ("Maria Lopez, Senior Vice President and CFO of Andes Mining S.A., presented the results.",
     ("andes mining s.a.", "chiefFinancialOfficer", "maria lopez")),
    ("The merger of Kestrel Foods, a Denver-based snack maker, with Orchard Brands Inc. (headquartered in Portland) "
     "closed on Friday.", ("orchard brands inc.", "headquarteredIn", "portland")),
    ("The merger of Kestrel Foods, a Denver-based snack maker, with Orchard Brands Inc. (headquartered in Portland) "
     "closed on Friday.", ("kestrel foods", "headquarteredIn", "denver")),
    ("Halden Retail plc holds 100% of the shares in Halden Logistics Ltd.", ("halden retail plc", "hasSubsidiary",
                                                                            "halden logistics ltd")),
])
def test_company_facts_in_wire_filing_and_transcript_styles(text, triple):
    s, p, o = triple
    assert (s, p, o.lower()) in _triples(text)


def test_indian_amounts_are_scaled_by_crore_and_a_uk_comparative_has_its_own_year():
    def values(text: str) -> dict[str, Decimal]:
        found = PatternExtractor().extract(_doc(text))
        nodes = {e.subject.key for e in found if isinstance(e.subject, Node)}
        by = {k: {str(e.predicate).split("#")[-1]: e.object for e in found
                  if isinstance(e.subject, Node) and e.subject.key == k} for k in nodes}
        return {str(v["period"]): Decimal(str(v["value"])) for v in by.values()}

    assert values("Sundaram Textiles Ltd reported revenue from operations of ₹1,250 crore for FY2024.") == \
        {"FY2024": Decimal("12500000000")}
    assert values("Ashdown Group plc: revenue rose to £3.1 billion in the year ended 31 March 2025 "
                  "(2024: £2.9 billion).") == {"FY2025": Decimal("3100000000"), "FY2024": Decimal("2900000000")}


@pytest.mark.parametrize("text, wrong", [
    ("Investors expect that Dana Holt, now president of Orrin Foods Inc., could become its next chief executive.",
     ("orrin foods inc.", "chiefExecutiveOfficer", "dana holt")),
    ("Marek Nowak, who was chief financial officer of Vistula Paper S.A. until 2021, has joined Odra Packaging "
     "as chief executive.", ("vistula paper s.a.", "chiefExecutiveOfficer", "marek nowak")),
    ("Kestrel Mining plc owns a 25% equity interest in Basalt Rail Ltd, which it accounts for as an associate.",
     ("kestrel mining plc", "hasSubsidiary", "basalt rail ltd")),
])
def test_candidates_former_roles_and_minority_stakes_state_no_fact(text, wrong):
    assert wrong not in _triples(text)


def test_a_per_share_amount_is_earnings_per_share_not_the_metric_before_it():
    found = PatternExtractor().extract(_doc("Arlo Freight Corp. reported full-year 2024 revenue of $5.1 billion and "
                                            "net income of $310 million, or $1.92 per diluted share."))
    by_node: dict[str, dict] = {}
    for e in found:
        if isinstance(e.subject, Node):
            by_node.setdefault(e.subject.key, {})[str(e.predicate).split("#")[-1]] = e.object
    figures = {(v["metric"].text, str(v["unit"])): Decimal(str(v["value"])) for v in by_node.values()}
    assert figures == {("revenue", "USD"): Decimal("5100000000"), ("net income", "USD"): Decimal("310000000"),
                       ("diluted earnings per share", "USD/share"): Decimal("1.92")}


def test_a_tables_rows_are_read_row_by_row_and_each_fact_belongs_to_its_rows_drug():
    text = ("drug: metformin; indication: type 2 diabetes; contraindications: severe renal impairment; "
            "interacts_with: ; usual_adult_dose: 500 mg twice daily\n"
            "drug: lisinopril; indication: hypertension;heart failure; common_side_effects: dry cough; "
            "interacts_with: spironolactone;aliskiren; usual_adult_dose: 10 mg once daily\n")
    found = _triples(text, media_type="text/csv", uri="drugs.csv")
    assert {("metformin", "treats", "type 2 diabetes"), ("metformin", "dosage", "500 mg twice daily"),
            ("lisinopril", "treats", "heart failure"), ("lisinopril", "dosage", "10 mg once daily")} <= found
    assert not {t for t in found if t[0] == "metformin" and t[2] in ("hypertension", "10 mg once daily")}
    assert ("spironolactone", "interactsWith", "aliskiren") not in found


def test_a_filing_covers_address_is_the_registrants_headquarters():
    cover = ("KESTREL ROBOTICS, INC.\n(Exact name of registrant as specified in its charter)\nDelaware\n"
             "(I.R.S. Employer\nIdentification No.)\n4400 Harbor Way, Suite 300\nSan Diego, California 92101\n"
             "(Address of principal executive offices)")
    assert ("kestrel robotics", "headquarteredIn", "san diego, california") in _triples(cover)
