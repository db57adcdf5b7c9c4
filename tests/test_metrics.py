"""The metric engine: what a figure question asks (a named formula, the question's own definition,
'<line> % margin', a line item; the period, unit and rounding asked), and the answer computed by
code from the filing's statement rows, every input cited, a missing one named, the audit able to
re-run it. Real store, database and MiniLM; no model writes a figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant import audit, metrics
from assistant.verify import answer_problems

from .helpers import KB, ScriptedLLM


@pytest.mark.parametrize("question, name, period, years, average, scale, decimals", [
    ("What is the FY2018 capital expenditure amount (in USD millions) for Acme?", "capital expenditure", "FY2018",
     1, (), "millions", None),
    ("What is Acme's FY2021 DPO? Round your answer to two decimal places.", "days payable outstanding", "FY2021",
     1, (), "", 2),
    ("What is the FY2019 - FY2020 total revenue growth rate for Acme? Answer in units of percents and round to "
     "one decimal place.", "revenue growth", "FY2020", 1, (), "", 1),
    ("What is Acme's 2 year total revenue CAGR from FY2020 to FY2022?", "revenue CAGR", "FY2022", 2, (), "", None),
    ("What is the FY2018 - FY2020 3 year average unadjusted EBITDA % margin for Acme?", "EBITDA margin", "FY2020",
     3, ("FY2018", "FY2019", "FY2020"), "", None),
    ("What is the year end FY2018 net PPNE for Acme? Answer in USD billions.", "net property, plant and equipment",
     "FY2018", 1, (), "billions", None),
])
def test_questions_ask_a_formula_at_a_period_in_a_unit(question, name, period, years, average, scale, decimals):
    ask = metrics.asked(question)
    assert (ask.formula.name, ask.period, ask.years, ask.average, ask.scale, ask.decimals) == \
        (name, period, years, average, scale, decimals)


def test_a_question_that_defines_its_metric_is_computed_as_it_defines_it():
    ask = metrics.asked("What is Acme's FY2022 return on assets (ROA)? ROA is defined as: FY2022 net income / "
                        "(average total assets between FY2021 and FY2022).")
    assert ask.formula.name == "return on assets" and ask.formula.expression == "net_income / ( avg(total_assets) )"
    margin = metrics.asked("What is the FY2015 depreciation and amortization (D&A from cash flow statement) % margin "
                           "for Acme?")
    assert margin.formula.expression == "depreciation_and_amortization / revenue" and margin.formula.unit == "percent"
    assert metrics.asked("Who is the chief executive of Acme?") is None


def _filing(accounts_payable: str = "1,210") -> str:
    return ("UNITED STATES SECURITIES AND EXCHANGE COMMISSION\nFORM 10-K\nCommission file number 1-1234\n"
            "KESTREL FOODS, INC.\n(Exact name of registrant as specified in its charter)\n\f"
            "Consolidated Statements of Income\n(in millions)\n2023 2022\nNet sales $ 9,800 $ 9,100\n"
            "Cost of sales 6,100 5,800\nOperating income 1,150 1,020\nNet income 700 640\n\f"
            "Consolidated Balance Sheets\n(in millions)\nDecember 31, 2023 December 31, 2022\n"
            "Inventories 1,400 1,300\nTotal assets 8,800 8,400\n"
            f"Accounts payable {accounts_payable} 1,150\n")


@pytest.fixture()
def filing(tmp_path, embedder) -> KB:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kestrel_2023_10k.txt").write_text(_filing(), encoding="utf-8")
    return KB(tmp_path / "home", embedder, corpus)


def test_a_computed_figure_states_its_formula_and_cites_every_input(filing):
    answer = filing.assistant(ScriptedLLM("The DPO was 99 days.")).ask(
        "What is Kestrel Foods' FY2023 days payable outstanding?")
    value = answer.value.to_json()
    # 365 * (1210 + 1150) / 2 / (6100 + (1400 - 1300))
    assert Decimal(value["number"]).quantize(Decimal("0.01")) == Decimal("69.47")
    assert answer.answer.startswith("KESTREL FOODS, INC.'s days payable outstanding for fiscal 2023 was 69.47 days, "
                                    "computed as 365 × average accounts payable / (cost of revenue + change in "
                                    "inventory)")
    assert {(i["concept"], i["period"]) for i in value["inputs"]} == {
        ("accounts payable", "FY2023"), ("accounts payable", "FY2022"), ("cost of revenue", "FY2023"),
        ("inventory", "FY2023"), ("inventory", "FY2022")}
    assert all(f"[{i['ref']}]" in answer.answer for i in value["inputs"])
    assert all(f.provenance for f in answer.facts) and "99" not in answer.answer  # no model text
    assert answer_problems(answer) == []


def test_a_figure_the_filing_does_not_state_is_not_found_and_named(filing):
    answer = filing.assistant(ScriptedLLM()).ask("What is Kestrel Foods' FY2022 days payable outstanding?")
    assert not answer.found and answer.value is None
    assert answer.answer == "Not found: FY2021 accounts payable for KESTREL FOODS, INC."


def test_the_audit_reruns_a_computed_answer_and_sees_an_input_change(filing, tmp_path):
    question = "What is Kestrel Foods' FY2023 inventory turnover? Round your answer to two decimal places."
    answer = filing.assistant(ScriptedLLM()).ask(question)
    assert answer.value.shown == "4.52x"  # 6100 / ((1400 + 1300) / 2)
    audit.save(filing.db, answer)
    _, checks = audit.rerun(filing.store, filing.db, answer.id)
    assert {c.status for c in checks} == {"identical"}

    (tmp_path / "corpus" / "kestrel_2023_10k.txt").write_text(_filing().replace("Inventories 1,400", "Inventories 1,500"),
                                                               encoding="utf-8")
    filing.ingest(tmp_path / "corpus")
    again = filing.assistant(ScriptedLLM()).ask(question)
    assert again.value.shown == "4.36x"  # 6100 / ((1500 + 1300) / 2)
    _, checks = audit.rerun(filing.store, filing.db, answer.id)
    assert "changed" in {c.status for c in checks}


def test_a_figure_a_later_filing_restates_is_answered_from_it_and_the_earlier_figure_is_said(filing, tmp_path):
    later = (_filing().replace("2023 2022", "2024 2023").replace("December 31, 2023 December 31, 2022",
                                                                 "December 31, 2024 December 31, 2023")
             .replace("Net income 700 640", "Net income 760 710"))
    (tmp_path / "corpus" / "kestrel_2024_10k.txt").write_text(later, encoding="utf-8")
    filing.ingest(tmp_path / "corpus")
    answer = filing.assistant(ScriptedLLM()).ask("What was Kestrel Foods' net income in FY2023?")
    assert answer.value.number == 710_000_000
    [net_income] = answer.value.inputs
    assert [f.figure.value for f in net_income.earlier] == [700_000_000]
    assert "an earlier filing stated $700 million" in answer.answer
    assert answer_problems(answer) == []
