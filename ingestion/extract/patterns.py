"""The deterministic domain extractor: gazetteer mentions plus high-precision patterns.

Medical relations (treats, causes adverse event, contraindicated in, interacts with, dosage) are
read sentence by sentence from cue phrases between a drug and a condition; finance relations
(metric values with unit and period, executives, subsidiaries, tickers, headquarters) from money,
period and role phrases, and from financial-statement table lines of filings.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgstore import vocab

from ..chunking import Span, sentences
from ..loaders import LoadedDocument
from ..numbers import scale_of
from . import lexicon, statements
from .base import Extraction, Mention, Node
from .gazetteer import Gazetteer, default_gazetteer, tokens

NAME = "patterns"

# ------------------------------------------------------------------------------------- medicine
_INDUCED = re.compile(r"^[\s-]*(?:induced|associated|related|caused|provoked|triggered)\b", re.I)
_CAUSE_FWD = re.compile(
    r"\b(?:cause[sd]?|causing|induce[sd]?|inducing|led to|leads? to|lead to|result(?:ed|s)? in|produced|precipitated|"
    r"trigger(?:s|ed)?|provoked|may cause|can cause|is associated with|was associated with|associated with|"
    r"(?:notorious|(?:well )?known) for|known to cause|"
    r"(?:may |can |might |often |commonly )?(?:experience[sd]?|develop(?:s|ed)?)|(?:increase|raise)[sd]? the risk of|"
    r"(?:an? )?increased risk of|(?:discontinued|stopped|withdrawn|held) (?:due to|because of|for)|"
    r"side effects? (?:of|include|includes|are|is)|adverse (?:effects?|events?|reactions?) (?:of|include|includes|are|is))\b",
    re.I)
_CAUSE_BWD = re.compile(
    r"\b(?:induced by|caused by|due to|secondary to|associated with|attributed to|related to|after|following|"
    r"(?:received|reported) (?:for|with)|since (?:starting|beginning|initiating|taking|commencing)|"
    r"during|from|with|side effects? of|adverse (?:effects?|events?|reactions?) of|toxicity of|"
    r"(?:(?:a |an )?(?:known|recogni[sz]ed|common|rare|serious|typical) )?(?:effects?|complications?|risks?) of|"
    r"complication of|on|(?:patients|people|users|those|subjects|individuals) (?:taking|receiving|given|using|"
    r"treated with))\b", re.I)
_TREATS = re.compile(
    r"\b(?:treats?|treated|is used to treat|used to treat|used for|used in|prescribed for|is indicated for|indicated for|"
    r"is approved for|approved for|(?:cleared|licensed|authori[sz]ed) for|"
    r"include (?:adult |pediatric )?(?:patients|adults|people|children) with|"
    r"(?:drugs?|therap(?:y|ies)|pharmacotherapy|treatments?|agents?)(?: of choice)? (?:in|for)|"
    r"first-line (?:therapy|treatment) in|"
    r"for the treatment of|in the treatment of|to treat|relieves?|lowers?|"
    r"controls?|manages?|prevents?|to prevent|reduc(?:e|es|ed|ing) the risk of|first-line (?:treatment|therapy) for|"
    r"for the relief of|indicated (?:to|as|in)|(?:first-line |second-line |preferred |an |the )?options? (?:for|in)|"
    r"reserved for)\b", re.I)
# "lisinopril for hypertension", "X is prescribed for the treatment of Y": the whole gap is the cue.
_TREATS_GAP = re.compile(r"\s*(?:\([^()]{1,40}\)\s*)?(?:,[^,;]{1,60},\s*)?(?:(?:is|are) )?(?:(?:also|often|commonly|mainly|widely|usually|now|"
                         r"primarily|frequently) )?(?:(?:was |were )?(?:used|given|prescribed|taken|approved|indicated|recommended|"
                         r"started|begun|initiated|continued) )?"
                         r"(?:at (?:an? |the )?(?:initial |starting |usual |recommended )?dose(?: of)?\s*)?for "
                         r"(?:the (?:treatment|relief|management|prevention) of )?(?:patients with )?"
                         r"(?:(?:new-onset|newly[- ]diagnosed|new|recurrent|refractory|confirmed|presumed|suspected)\s+)?", re.I)
_CONTRA = re.compile(
    r"\b(?:contra-?indicated (?:in|for|during|given)|(?:should|must|may) not be (?:used|taken|given|administered|prescribed)"
    r" (?:in|by|to|during|for)|(?:is|are) not (?:recommended|to be used) (?:in|for|during)|avoid(?:ed)? in|"
    r"(?:must|should)(?: \w+)? never be (?:used|taken|given|started|prescribed) (?:in|by|to|for)|"
    r"(?:must|should) be withheld (?:from|in))\b", re.I)
# Condition first: "Y is an absolute contraindication to X", "patients with Y should not receive X".
_CONTRA_BWD = re.compile(r"\b(?:(?:is|are|remains?)\s+(?:an?\s+)?(?:absolute\s+|relative\s+)?contra-?indication\s+"
                         r"(?:to|for)|(?:should|must) not (?:receive|be given|take|use|be treated with))\b", re.I)
# "Do not use ibuprofen if you have a peptic ulcer."
_CONTRA_BEFORE = re.compile(r"\b(?:do not|don't|never|must not|should not) (?:use|take|give|prescribe)\s+$", re.I)
# The drug as a label, the warning after it: "Finerenone: do not prescribe to people with Y".
_CONTRA_AFTER = re.compile(r"\s*[:–—-]\s*(?:do not|don't|never|must not|should not) (?:use|take|give|prescribe|start)"
                           r"(?: it)?\b", re.I)
# "... if you have Y", "... in patients with Y", "... during pregnancy" after "Do not use X".
_CONTRA_IF = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:(?:if|when) (?:you|the patient|patients?) (?:(?:have|has) )?"
                        r"(?:ever |previously |already )?(?:have|has|are|is|had)\b"
                        r"|(?:in|to|for|by) (?:patients|people|adults|children|women|men|anyone|those) (?:with|who have)\b"
                        r"|(?:in|during)\s*$)", re.I)
_INTERACTS = re.compile(
    r"\b(?:interacts?(?: \w+ly)? with|interaction (?:between|with)|should not be combined with|combined with|"
    r"together with|increases? the (?:effect|levels?|concentration|risk \w+ \w+) of|potentiates?|"
    r"co-administration (?:of|with)|coadministration (?:of|with)|"
    r"(?:should|must) not be (?:taken|used|given|combined|co-?administered) (?:together )?with|"
    r"(?:may |can )?(?:increase|decrease|raise|reduce|lower|inhibit|potentiate)(?:s|d|ed)?(?: the)?|"
    r"(?:is|are) (?:reduced|increased|decreased|affected|potentiated|inhibited) by|push(?:es)? up|"
    r"co-?prescribed with|with|and)\b", re.I)
_INTERACTION_CUE = re.compile(r"\b(?:interact\w*|combin\w*|co-?administ\w*|together|potentiat\w*|raises?|"
                              r"increases?|decreases?|reduc\w+|inhibit(?!ors?\b)\w*|avoid\w*|should not be taken with|co-?prescri\w+|push\w* up)\b", re.I)
# Cues that may stand further from their second drug: "X's anticoagulant effect is potentiated by many
# drugs, notably Y", "X is contraindicated in patients taking organic nitrates such as Y".
_LONG_CUE = re.compile(r"\b(?:(?:is|are|can be|may be) (?:potentiated|increased|decreased|reduced|inhibited|affected|enhanced|"
                       r"antagoni[sz]ed) by|contra-?indicated (?:in|for|with) (?:patients |people |those )?"
                       r"(?:taking|receiving|using|on|treated with))\b", re.I)
# What makes "X and Y" an interacting pair: "X and Y interact", "... should not be taken together".
_PAIR_INTERACTS = re.compile(r"[^.;]{0,40}?\b(?:interact\w*|together|combined|co-?administ\w*|concomitant\w*|"
                             r"(?:push|rais|increas|reduc|lower|decreas)\w* (?:the |its |their )?(?:[\w-]+ )?"
                             r"(?:levels?|concentrations?|exposure|effects?|absorption|clearance))", re.I)
# "Concomitant use of clopidogrel and omeprazole reduced ...": the pair named together.
_CONCOMITANT = re.compile(r"\b(?:concomitant use|co-?administration|coadministration|combined use|co-?prescription) of "
                          r"(?:the )?(?P<a>[\w-]+) (?:and|with) (?P<b>[\w-]+)", re.I)
_AND_WITH = re.compile(r"\b(?:and|or)\s+(?:also\s+)?with\s*$", re.I)  # "interacts with X, ..., and with Y"
# Between items of a list: "nausea (20%), vomiting", "X or to patients with Y".
_LIST_GAP = re.compile(r"\s*(?:\([^()]{0,20}\)\s*)?(?:[,;]\s*)?(?:(?:and|or|and/or|as well as)\s+)?", re.I)
_POPULATION_LIST_GAP = re.compile(r"\s*,?\s*(?:and|or)\s+(?:(?:in|to|for)\s+)?(?:patients|people|adults|children|those)"
                                  r"\s+(?:with|who have)\s+(?:an?\s+)?(?:(?:personal|family|known|prior)\s+(?:or\s+)?)*"
                                  r"(?:history of\s+)?", re.I)
# A dose: amount (or range "10 or 40 mg"), then optionally a route, a frequency ("twice daily", "q2w",
# "every 4 to 6 hours") and a dose kind ("loading dose").
_ROUTE = r"orally|by mouth|intravenously|subcutaneously|intramuscularly|sublingually|topically|IV|SC|IM|PO"
_FREQ = (r"(?:once|twice|three times|four times)(?:\s+(?:a|per|every))?(?:\s+(?:day|daily|week|weekly|month))?"
         r"|every\s+(?:other\s+)?(?:\d+(?:\s*(?:to|-)\s*\d+)?\s+)?(?:hours?|days?|weeks?|months?)"
         r"|daily|weekly|monthly|nightly|per day|a day|at bedtime"
         r"|q\.?\d*[hdw]\.?|q\d+h|qd|bid|tid|qid|od|qod|qw|prn|b\.i\.d\.?|t\.i\.d\.?")
_DOSE = re.compile(
    rf"\b\d+(?:\.\d+)?(?:\s*(?:-|–|to|or)\s*\d+(?:\.\d+)?)?\s?(?:{lexicon.DOSE_UNITS})"
    r"(?:/(?:kg|m2|day|d|h|dose|week))*"
    rf"(?P<route>\s+(?:{_ROUTE}))?(?P<freq>\s+(?:divided\s+)?(?:{_FREQ}))?(?:\s+(?:loading|maintenance|starting|initial) dose)?(?![\w/])",
    re.I)
_DOSE_CUE = re.compile(r"\b(?:dose|dosage|dosing|take|taken|given|administered|start(?:ed|ing)?|initiat\w+|"
                       r"recommended|usual|maximum|titrat\w+)\b", re.I)
# "adverse effect of X is Y", "adverse reactions in patients treated with X were Y"
_EFFECT_OF_BEFORE = re.compile(r"\b(?:side|adverse|undesirable) (?:effects?|events?|reactions?)\b(?:[^.;]{0,60}?\b)?"
                               r"(?:of|with|from|taking|receiving|given|treated with|on)\s+$", re.I)
# What follows "the side effects of X": "were|include|:" and a list of effects, lay words too
# ("decreased libido and erectile dysfunction").
_EFFECT_LIST_START = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?(?:is|are|was|were|include[sd]?|included|:)\s+", re.I)
_EFFECT_ITEM = re.compile(r"(?:(?:,\s*)?(?:and|or)\s+|,\s*)?(?P<np>(?:(?!(?:and|or|in|with|who|that|which|during|after|"
                          r"than|compared|including)\b)[A-Za-z][\w'-]*\s*){1,4})(?:\s*\([^()]{0,20}\))?", re.I)
_ALIAS = re.compile(r"^[\s,]*(?:(?:is\s+)?(?:also\s+)?(?:called|known as|sold as|sold under the brand names?|marketed as)"
                    r"|.{0,60}\b(?:sold as|sold under the brand names?|marketed as|also called|also known as))\s*$", re.I)
# A class phrase right after a drug: "X is a biguanide", "X, a selective serotonin reuptake inhibitor,",
# "X belongs to a class of drugs called statins"; the phrase itself is read by `_class_phrase`.
_CLASS = re.compile(r"(?:\s*\([^()]{1,30}\))?(?:\s+(?:is|was)\s+(?:also\s+)?(?:(?:orally|widely|commonly) [\w-]+\s+)?|,\s+(?:one of\s+)?|"
                    r"\s*[—–]\s*|\s+-\s+|,\s+(?=both\s)|"
                    r"\s+(?:belongs? to|is (?:a )?(?:member|part) of|"
                    r"is classified as|is one of|acts as)\s+|,\s*which (?:acts|works) as\s+|\s+(?:and|or) other\s+)"
                    r"(?:(?:an?|the)\s+|(?<=, )both\s+|(?<=other ))"
                    r"(?:(?:first|only|new|newer|latest|older)\s+)?(?:(?:type|kind|form) of\s+)?"
                    r"(?:(?:[\w-]+\s+)?(?:class|group|family) of\s+(?:(?:[\w-]+\s+)?(?:drugs|medicines|medications|agents) "
                    r"(?:called|known as)\s+)?)?['‘\"“]?", re.I)
# A class named before its drug: "the TNF-alpha inhibitor adalimumab", "SGLT2 inhibitors such as X".
_CLASS_LINK = re.compile(r"(?:,\s*)?(?:such as|like|including|includes?|e\.g\.,?)\s+$|,\s*$|\(\s*(?:e\.g\.,?|eg,?|such as|"
                         r"including)\s*$", re.I)
_DETERMINER_BEFORE = re.compile(r"(?:\b(?:the|an?|its|their)|['’]s)\s+$", re.I)
_CLASS_WORD = re.compile(r"\s*(\([\w-]+\)|[\w][\w/-]*)")
# "Methotrexate - Pharmacologic category: antimetabolite; DMARD", "rivaroxaban (DOAC)".
_CLASS_LABEL = re.compile(r"\s*[-–:]\s*(?:pharmacologic(?:al)? |therapeutic |drug )?(?:category|class)\s*:\s*", re.I)
_CLASS_ABBR = re.compile(rf"\s*\((?:an?\s+)?(?P<abbr>{'|'.join(sorted(lexicon.CLASS_ABBREVIATIONS))})s?\)")
_CLASS_STOP = frozenset("used that which for taken sold given and with to in of by as is are was it can may "
                        "available approved indicated".split())
# Sections of drug labels: a heading sets the relation of the lines below it.
_SECTION = re.compile(
    r"[#*\s\d.]*\[?(?:(?P<ae>(?:possible |common |serious )?(?:adverse (?:reactions|effects|events)|side effects|"
    r"undesirable effects)|(?:very )?(?:common|uncommon|rare)(?: side effects)?(?= ?(?:\([^()]{0,40}\))? ?:)|"
    r"not known(?= ?(?:\([^()]{0,40}\))? ?:))|(?P<treats>(?:therapeutic )?indications?(?: and usage)?|uses?|what (?:[\w-]+ )?is used for)"
    r"|(?P<contra>contra-?indications?|do not (?:take|use)(?: [\w-]+)?(?: if)?|who should not (?:take|use)(?: [\w-]+)?)"
    r"|(?P<inter>(?:drug )?interactions?(?: with other (?:medicines|drugs|medicinal products))?|"
    r"(?:taking )?other medicines(?: and [\w-]+)?)"
    r"|(?P<dose>(?:(?:recommended|usual|adult|starting)[ _])*(?:dosage|dose)(?: and administration)?|dosing|"
    r"posology(?: and method of administration)?"
    r"|how (?:to|much) (?:take|use)(?: [\w-]+)?)"
    r"|(?P<cls>(?:(?:drug |pharmacologic(?:al)? |therapeutic )?(?:class|category)|pharmacotherapeutic group)"
    r"(?=\s*:)))"
    r"(?:\]\s*|\s*(?:\([^()]{0,100}\))?\s*(?::\s*|$))", re.I)
# Where a flattened label, formulary entry or table row ("X — Class: retinoid — Contraindications:
# pregnancy | ...", "drug: X; indication: Y") may start a new field: a spaced dash or bar, or "; " before
# a "label:"; `_fields` cuts there when a heading or label follows, or a heading stands before.
_FIELD_BREAK = re.compile(r"\s+[—–|]\s+|;\s+(?=[A-Za-z][\w /&-]{1,40}:\s)")
_FIELD_LABEL = re.compile(r"[A-Za-z][\w /&-]{1,40}:\s")
_HEADING = re.compile(r"^(?:#+\s*.*|[^a-z.!?]{2,60}|[^.!?]{1,40})$")
# A heading that ends the current section: markdown, ALL CAPS, or "Title:" (a bullet such as "- Nausea" does not).
_SECTION_END = re.compile(r"^(?:#+\s*\S.*|[^a-z]*[A-Z][^a-z]{2,60}|[A-Z][^.!?]{0,60}:)$")
# "The drug", "This medicine", "It", "Its" opening a sentence stand for the document's main drug.
_DRUG_PRONOUN = re.compile(r"(?:(?:The|This|That) (?:drug|medicine|medication|product|agent)s?\b|Its?\b)")
# The same inside a sentence: "However, the drug can lead to ...", "reported after its use".
_DRUG_ANAPHOR = re.compile(r"\b(?:the|this) (?:drug|medicine|medication)\b(?! (?:class|regulator|agency|label|reaction))"
                           r"|\bits (?:use|administration|initiation|intake)\b")
_TREATS_OBJECT = re.compile(
    r"(?:the |a |an )?(?:(?:treatment|relief|management|prevention|risk|symptoms?|signs) of (?:the |a |an )?)?"
    r"(?:(?:adult |pediatric |elderly )?(?:patients|people|adults|children|those|women|men|individuals)\s+"
    r"(?:with|who have|suffering from|on|undergoing|receiving)\s+)?"
    r"(?:(?:this|the|a|these) (?:patients?|cases?)\s+(?:because of|due to|with)\s+)?"
    r"(?:an? (?:(?:personal|family|known|prior)\s+(?:or\s+)?)*(?:history|diagnosis) of\s+)?(?:an? |the )?"
    r"(?:(?:mild|moderate|severe|moderately|severely)(?:\s*(?:to|-)\s*|\s+)(?:(?:mild|moderate|severe)\s+)?)?", re.I)
# A word used as a drug by its context: "X-induced", "X therapy", "treated with X", "X is indicated",
# "X is a kinase inhibitor", "Y, an interleukin-17 antagonist" (a brand name, often in capitals on a
# label), "coadministration of X with Y".
_CLASS_HEAD_WORDS = "|".join(sorted(lexicon.CLASS_HEADS, key=len, reverse=True))
_DRUG_BY_CONTEXT = re.compile(
    r"\b(?P<d>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?)(?:-(?:induced|associated|related)\b"
    r"|\s+(?:therapy|treatment|administration|infusion|injection|ingestion|overdose|poisoning|intoxication)\b)"
    r"|\btreated with (?:oral |intravenous |topical |high-dose |low-dose )?(?P<t>[A-Za-z][A-Za-z0-9-]+)"
    r"|\b(?P<s>[A-Za-z][a-z]{3,})(?= (?:is|are|must|should) (?:also |only |now |not )?(?:be )?(?:indicated|approved|"
    r"contraindicated|used (?:in|during|by)|given (?:to|in|during)|administered to)\b)"
    rf"|\b(?P<c>[A-Za-z][A-Za-z0-9]{{3,}}|[A-Z]{{1,4}}-\d{{2,6}})(?=(?: \([^()]{{1,30}}\))?,? (?:is |was )?"
    rf"(?:belongs? to )?(?:an?|the|its) (?:[\w()-]+ ){{0,5}}?"
    rf"(?:{_CLASS_HEAD_WORDS})s?"
    r"(?:\s*[,.;:)]|\s*$| (?:indicated|used|approved|that|which|with|for|and|or|in|is|was|given|taken)\b))"
    r"|\b(?:co-?administration|concomitant use|co-?prescription) of (?P<x>[A-Za-z][A-Za-z0-9-]{3,})"
    r"(?: (?:with|and) (?P<y>[A-Za-z][A-Za-z0-9-]{3,}))?", re.I)
# Contexts of labels, leaflets and trials (a separate pattern: one alternation of them all scans slowly).
_DRUG_BY_LABEL = re.compile(
    r"\b(?:(?:reactions?|effects?|events?)(?: \([^()]{1,20}\))? (?:reported |observed |seen )?(?:with|of)|"
    r"(?:been )?(?:reported|observed) with|"
    r"(?:ingredients|excipients) of|other medicines and|"
    r"hypersensitivity to|(?:do not|don't|stop|before|when|while|if you are) (?:take|taking|use|using|given)|"
    r"(?:you|patients) (?:take|taking|use|using|receiving|on|treated with)|(?:FDA|EMA|MHRA|agency|regulators?|Commission) "
    r"(?:has |have )?(?:approved|cleared|authori[sz]ed)|approval (?:of|for)|(?:recommended |usual |starting )?dos(?:e|age) of|"
    r"(?:randomi[sz]ed to |to )receive) (?P<w>(?-i:[A-Z])[A-Za-z0-9]{3,}(?:-[A-Za-z0-9]+)?)\b"
    r"(?! (?:of|or|the|and)\b)"
    r"|(?P<g>(?-i:[A-Z])[A-Za-z0-9]{3,}) (?=belongs to (?:a|the) (?:group|class|family) of (?:medicines|drugs)|"
    r"(?:can|may) cause\b|contains the active substance)"
    r"|\bwhat (?P<h>(?-i:[A-Z])[A-Za-z0-9]{3,}) is (?:and what it is )?used for"
    r"|\b(?:patients|subjects|participants|those|adults|children) (?:who (?:were|are) )?(?:receiving|treated with|taking|"
    rf"given|randomi[sz]ed to) (?P<r>(?-i:[a-z])[a-z]{{4,}}(?:-[a-z]+)?)\b(?! (?:therapy|treatment|doses?|"
    rf"(?:[\w-]+ )?(?:{_CLASS_HEAD_WORDS})s?)\b)"
    r"|\b(?:such as|like|including|e\.g\.,?) (?P<k>[a-z][a-z-]{4,})\b"
    r"|(?:^|\n|\. )(?P<f>(?-i:[A-Z])[A-Za-z0-9]{3,}) \d+(?:\.\d+)? ?(?:mg|g|mcg|µg|mL|IU)(?:/\w+)? (?:[\w-]+ ){0,2}?"
    r"(?:tablets?|capsules?|injection|solution|suspension|infusion|cream|patch|powder)\b", re.I)
_CLASS_BEFORE_EXAMPLE = re.compile(rf"\b(?:{_CLASS_HEAD_WORDS})s?,?\s*\(?\s*(?:such as|like|including|e\.g\.,?) $", re.I)
# Contexts only a drug stands in, even one whose name ends like a condition ("the recommended dose of Prolia").
_STRONG_DRUG_CONTEXTS = frozenset("wghfcskr")
_NEGATION = re.compile(r"\b(?:no|not|without|never|neither|nor|denied|absence of|ruled out)\b", re.I)
# An exception between a drug and a condition: "contraindicated in pregnancy, except in pregnant women with Y".
_EXCEPT = re.compile(r"\b(?:except|unless|other than|apart from)\b", re.I)
_LIST_ITEM = re.compile(r"[^,;]+")
_NO_EFFECT = re.compile(r"\b(?:did not differ|no (?:significant |statistically significant )?difference|not "
                        r"(?:significantly )?(?:increased|higher|different)|no (?:causal )?association)\b", re.I)
# A drug started or advised for a condition named before it, and words that make it a cause instead.
_STARTED_ON = re.compile(r"\b(?:started on|started|initiated on|initiated|commenced on|begun on|placed on|discharged on|"
                         r"continued? on|continue|respond(?:s|ed)? (?:well |rapidly |promptly )?to(?: treatment with)?|"
                         r"managed with|controlled with|(?:we )?(?:suggest|recommend)s?|"
                         r"is (?:suggested|recommended))\b", re.I)
_HARM_WORDS = re.compile(r"\b(?:after|following|since|due to|secondary to|induced|caused|while|during|develop\w*|"
                    r"inadequately|despite|failed|fails|intoleran\w*|patients|occurr\w*|reported|observed|risk)\b", re.I)
# Verbs that stand before a condition without being part of its name: "in preventing AF".
_ACTION_WORDS = frozenset("preventing treating reducing managing causing developing having including against "
                          "prevent treat reduce manage".split())
# A study's aim, not its finding: "to assess the efficacy of X in preventing Y".
_AIM = re.compile(r"\b(?:to (?:assess|evaluate|investigate|determine|examine|compare|explore|test)|objectives?|aims?|"
                  r"purpose|hypothesi[sz]ed|whether)\b", re.I)
# What a label says is unknown: "Dosing of X in patients with Y has not been established".
_NOT_ESTABLISHED = re.compile(r"\b(?:(?:has|have) not been (?:established|studied|evaluated)|no (?:dose |dosing )?"
                              r"recommendation)", re.I)
# What a combination of drugs causes is the pair's, not each drug's: "combining X with Y can cause Z".
_COMBINATION = re.compile(r"\b(?:combin\w*|together|co-?administ\w*|concomitant\w*)\b", re.I)
# A population a drug can be contraindicated in (never an effect or an indication).
_POPULATION = re.compile(r"\b(?:(?:children|infants|adolescents|patients|people|women|men|adults)\s+(?:under|below|younger "
                         r"than|aged (?:less than|under)|over|older than)\s+\d+\s+(?:years|months)(?: of age| old)?|"
                         r"nursing mothers|breast-?feeding (?:women|mothers)|(?:women|mothers) who are breast-?feeding|"
                         r"elderly patients)\b", re.I)
# A label's frequency band ("Very common (≥1/10): nausea"), never a condition itself.
_FREQUENCY = re.compile(r"(?:very |un)?(?:common|rare|frequent)|not known|frequency", re.I)
# A negation governing the condition right before it: "No increase in hepatotoxicity", "without bleeding".
_NEGATED_BEFORE = re.compile(r"\b(?:no|without|absence of|free of|lack of|neither|nor)\s+(?:[\w-]+\s+){0,3}$", re.I)
# A comparator, not a cause or a partner: "ticagrelor compared with clopidogrel", "X versus Y".
_COMPARATOR = re.compile(r"\b(?:compared (?:with|to)|in comparison (?:with|to)|versus|vs\.?|relative to|"
                         r"(?<!more )(?<!less )(?<!fewer )(?<!older )(?<!younger )than)\s", re.I)  # not "more than 3 months"
# Exposure, read backwards from an effect: "... in patients treated with X", "subjects who received X",
# "adverse reactions reported with X"; a class noun may stand before the drug ("SGLT2 inhibitors such as X").
_EXPOSURE_BEFORE = re.compile(
    r"(?:\b(?:patients?|subjects|people|users|those|individuals|adults|children|women|men|persons?)(?: who)?\s+"
    r"(?:(?:were|was|are|is|being)\s+)?(?:taking|receiving|received|given|treated with|took|using|on)"
    r"|\b(?:reported|observed|seen|occurring|occurred)\s+(?:in\s+\w+\s+)?(?:(?:more|less)\s+(?:frequently|often|"
    r"commonly)\s+)?(?:with|during|after|on)"
    r"|\b(?:adverse|side) (?:effects?|events?|reactions?)\b[^.;]{0,40}\b(?:with|of|for|to)"
    r"|\b(?:was|were|occurred in)\s+[\d.]+\s?%\s+(?:of patients\s+)?(?:in|with|on)(?:\s+the)?)"
    r"\s+(?:(?:the|a|an|oral|intravenous|topical)\s+)?(?:[\w-]+\s+){0,3}?(?:(?:such as|like|including)\s+)?$", re.I)
# A condition naming a population, not an effect: "atopic dermatitis subjects", "AF patients".
# "X is started at 500 mg twice daily in adults with Y" (doses removed): Y is what X treats.
_POPULATION_GAP = re.compile(
    r"\s*(?:\([^()]{1,40}\)\s*)?,?\s*(?:(?:is|are|was|were|should be|can be|may be|has been)\s+)?(?:(?:also|often|commonly|usually)\s+)?"
    r"(?:(?:started|given|administered|dosed|initiated|titrated|used|prescribed|approved|indicated|effective|"
    r"recommended)\s+)?(?:(?:at|as|with)\s+)?,?\s*(?:in|for) (?:adult |pediatric |elderly )?(?:patients|adults|people|"
    r"children|women|men) (?:with|who have)\s+(?:an?\s+)?(?:(?:history|diagnosis) of\s+)?"
    r"(?:[A-Z0-9][\w-]*[ ]+){0,2}", re.I)  # a biomarker: "adults with BRAF V600E-mutant Y"
_POPULATION_NOUN = re.compile(r"\s+(?:patients|subjects|population|cohort|group|participants|wom[ae]n|m[ae]n|"
                              r"children|infants|neonates|adults)\b", re.I)

_STOP = frozenset("""a an the of and or in on at to for with by from as is are was were be been this that these
those his her their its patient patients case cases we our who which after following during due because than
then also may might can could would should has have had not no developed develop developing presented
showed shows revealed including include other both one two three four five six several some any into within
while when where use used using treatment therapy therapeutic dose doses high low daily drug drugs oral
intravenous induced associated related caused possible probable suspected rare common serious known new
treat treats treated treating cause causes causing prevent prevents prevented manage manages control controls
relieve relieves lower lowers reduce reduces induce induces suffer suffers suffering diagnosed experience
experienced reported called include includes including indicated approved against risk effect effects side
adverse event events reaction reactions history signs symptoms onset episode episodes such like
""".split())
_NOT_DRUGS = frozenset("""strong moderate weak potent other any certain some placebo either both vehicle immune they
these those this it effective alternative preferred optimal appropriate recommended available current
conventional usual tablet tablets capsule capsules injections solution suspension cream patch patches drug drugs medication medications combination chemotherapy radiation radiotherapy
steroid steroids antibiotic antibiotics immunosuppressive long-term short-term prolonged previous prior
concomitant initial subsequent standard maintenance adjuvant surgical hormone hormonal replacement oxygen
surgery intervention vaccination dialysis transplantation transplant exercise diet screening monitoring
hospitalization hospitalisation admission caution care testing imaging biopsy
initiate initiating start starting begin continue stop discontinue resume weekly monthly nightly hourly
continuous continued empirical empiric adjunctive prophylactic combined intermittent chronic systemic
subcutaneous intravenous intramuscular oral topical intravitreal intrathecal inhaled depot bolus
monotherapy regimen therapy first-line second-line third-line
""".split())
_THERAPY = re.compile(r"^\s*(?:therapy|treatment|administration|use|infusion|injection|ingestion|overdose|"
                      r"intoxication|exposure|medication)\b", re.I)

# -------------------------------------------------------------------------------------- finance
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
# A capitalised name (spaces only, never across lines): "Novo Nordisk", "Johnson & Johnson", "Amazon.com".
# Dotted initials count as a word: "A.P. Moller-Maersk".
_CAPWORD = rf"(?:(?:[A-Z]\.){{2,3}}|[A-Z]\.(?=[ ][{_UP}])|[{_UP}][\w&-]*(?:\.[a-z]{{2,3}})?|[0-9][A-Z][\w]*)"
_NAME = rf"{_CAPWORD}(?:(?:[ ]+&[ ]+|[ ]+(?:of|de|la)[ ]+|[ ]+){_CAPWORD}){{0,4}}"
_SCALE = r"(?i:thousand|million|billion|trillion|lakh|crore|bn|mn|m|b|k)"
_NUM = r"\d[\d,]*(?:\.\d+)?"
_CODES = "|".join(lexicon.CURRENCY_CODES)
_MONEY = re.compile(
    rf"(?P<c1>US\$|C\$|A\$|R\$|S\$|HK\$|NZ\$|\$|€|£|¥|₹|\bRs\.?|\b(?:{_CODES})\b)\s?(?P<n1>{_NUM})\s*(?P<s1>{_SCALE})?(?![\w])"
    rf"|(?P<n2>{_NUM})\s*(?P<s2>{_SCALE})?\s*(?:US\s+)?(?P<c2>\b(?:{_CODES})\b|(?i:dollars|euros|pounds|yen|kroner|"
    rf"kronor|francs))(?![\w])")
_PERCENT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?(?:%|percent\b)")
_OR_PER_SHARE = re.compile(r",?\s*(?:or|and)\s+\$\s?(?P<n>\d+(?:\.\d+)?)\s+(?P<label>per\s+(?P<diluted>diluted\s+)?"
                           r"(?:basic\s+)?share)", re.I)
_PER_SHARE = re.compile(r"\$\s?(?P<n>\d+(?:\.\d+)?)\s+(?:per (?:diluted )?share|a share)", re.I)
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|" \
         r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_PERIOD = re.compile(
    r"\b(?:(?P<h>first|second)\s+half\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?)?(?P<hy>(?:19|20)\d{2})"
    r"|(?<![\w-])(?P<h2>H[12])\s+(?P<hy2>(?:19|20)\d{2})"
    r"|(?P<q>first|second|third|fourth|Q[1-4])\s+(?:quarter\s+)?(?:of\s+)?(?:fiscal\s+(?:year\s+)?|FY\s?)?"
    r"(?P<qy>(?:19|20)\d{2})"
    r"|(?:fiscal(?:\s+year)?|FY|financial\s+year|full[- ]year)\s?'?(?P<fy>(?:19|20)?\d{2})\b"
    r"|(?P<fy2>(?:19|20)\d{2})\s+(?:financial|fiscal)\s+year\b"
    rf"|(?:year|twelve months|12 months|period) (?:ended|ending|to)\s+(?:{_MONTH}(?:\s+\d{{1,2}},?)?|\d{{1,2}}\s+{_MONTH},?)\s+"
    r"(?P<ye>(?:19|20)\d{2})"
    rf"|\b(?:at|as of|as at|on)\s+(?:{_MONTH}\s+\d{{1,2}},?|\d{{1,2}}\s+{_MONTH},?)\s+(?P<ye2>(?:19|20)\d{{2}})"
    r"|\b(?:in|for|during|of)\s+(?P<y>(?:19|20)\d{2})\b"
    r"|(?P<y2>(?:19|20)\d{2})\s+(?=(?:net\s+|total\s+|annual\s+|adjusted\s+)?(?:revenue|sales|turnover|net income|"
    r"operating (?:income|profit)|net profit|earnings|ebitda|results))"
    r"|\b(?:closed|ended|finished|completed)\s+(?P<y3>(?:19|20)\d{2})\b)", re.I)
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_COMPANY = re.compile(
    rf"\b(?P<name>(?:[{_UP}][\w&'.-]*|[0-9][A-Z][\w]*)(?:\s+(?:[{_UP}][\w&'.-]*|&|and|of)){{0,6}}?)"
    r",?\s+(?P<suffix>Inc\.?|Incorporated|Corp\.?|Corporation|Co\.,? Ltd\.?|Co\.|Company|Ltd\.?|Limited|plc|PLC|LLC|AG|SE|ASA|"
    r"A/S|AS|AB|Oyj|Oy|GmbH|KGaA|S\.p\.A\.|SpA|S\.A\.|SA|SAS|N\.V\.|NV|B\.V\.|BV|K\.K\.|Sp\. z o\.o\.|"
    r"Pte\.? Ltd\.?|Pty\.? Ltd\.?|Bhd|Berhad|Tbk|Zrt\.?|Kft\.?|S\.r\.l\.|Srl|S\.L\.|Ltda\.?|a\.s\.|s\.r\.o\.|LLP|L\.P\.|"
    r"Group|Holdings|Pharmaceuticals|Bancorp)"
    r"(?:,?\s+(?:Co\.,?\s+Ltd\.?|Ltd\.?|Inc\.?|Corp\.?|plc|PLC|AG|SE|S\.A\.|N\.V\.|K\.K\.|LLC)(?=[\s,.;:)]|$))?(?![\w])")
_COMPANY_WORDS = "|".join(sorted(lexicon.COMPANY_NAME_WORDS))
_NOUNS = "|".join(sorted(lexicon.COMPANY_NOUNS))
# People: "Jane Doe", "Lars Fruergaard Jørgensen", "Ryan McInerney", "Jean-Pierre Roux".
_PWORD = rf"[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)?"
_PN = rf"{_PWORD}(?:[ ]+[{_UP}]\.)?(?:[ ]+{_PWORD}){{1,3}}"
_EXCH = "|".join(lexicon.EXCHANGES)
_ROLE = (r"(?i:(?:group |global |interim |acting |new )?"
         r"(?:(?:executive |senior )?(?:chairman|chairwoman|chair|(?:(?:executive |senior )?vice )?president|founder|co-founder)"
         r"(?: of the board)?(?:,? and |, ))*"
         r"(?:chief executive officer|chief executive|ceo|chief financial officer|chief finance officer|cfo|"
         r"finance chief|(?:group )?finance director|vorstandsvorsitzender|finanzvorstand|"
         r"chair(?:man|woman|person)? of the (?:executive|management) board)"
         r"(?:[ ]*(?:&|and)[ ]*(?:co-?founder|founder|president|chair(?:man|woman)?)\b)?)")
# Predicates whose capitalised subject or object is a company, suffix or not; each with a key, a fast
# pattern that every match of its (slower) pattern contains, so the pattern is tried only near the key's
# matches (`_windows`).
_COMPANY_CUES = [(re.compile(key, re.I), re.compile(pattern)) for key, pattern in (
    # Companies, unlike people, are "it"/"which": "X announced it has", "X moved its head office", "X, which runs".
    (r"[\w.&-][ ]+(?:today[ ]+)?(?:has[ ]+|have[ ]+)?[a-z]{2,}(?:ed|s)[ ]+(?:that[ ]+)?its?\b",
     rf"(?P<name>{_NAME})[ ]+(?:today[ ]+)?(?:has[ ]+|have[ ]+)?(?!(?:as|was|has|is)\b)[a-z]{{2,}}(?:ed|s)[ ]+"
                           r"(?:that[ ]+)?its?\b"),
    (r",[ ]+which[ ]",
     rf"(?P<name>{_NAME}),[ ]+which[ ]+(?=[^.]{{0,80}}\b(?:group|company|listed|head office|headquarters|shares|"
     r"business)\b)"),
    # "Nacka-headquartered Atlas Copco", "Novo Nordisk, the Bagsvaerd, Denmark-based maker".
    (r"-(?:based|headquartered)\b", rf"[{_UP}][\w]+-(?:based|headquartered)[ ]+(?P<name>{_NAME})"),
    (r"-(?:based|headquartered)\b", rf"(?P<name>{_NAME}),[ ]+(?:the|a|an)[ ]+[^.]{{0,40}}?-(?:based|headquartered)\b"),
    (rf"\b(?:{_NOUNS})\b",
     rf"(?P<name>{_NAME})[ ]+(?:is|was|has been)[ ]+(?:a|an|the)[ ]+(?:[\w-]+[ ]+){{0,4}}?(?i:{_NOUNS})\b"),
    (rf"\b(?:{_NOUNS})\b", rf"(?P<name>{_NAME}),[ ]+(?:the|a|an)[ ]+(?:[\w-]+[ ]+){{0,3}}?(?i:{_NOUNS})\b"),
    (r"\b(?:reported|posted|recorded|generated|delivered|booked|announced|achieved|had|said|says)\b[^.]{0,40}?"
     r"(?:revenue|sales|income|profit|earnings|turnover|loss|results|quarter|assets|margin|cash flow|guidance|dividend)",
     rf"(?P<name>{_NAME})[ ]+(?:reported|posted|recorded|generated|delivered|booked|announced|achieved|had|said|says)\b"
     r"(?=[^.]{0,40}?(?i:revenue|sales|income|profit|earnings|turnover|loss|results|quarter|assets|margin|"
     r"cash flow|guidance|dividend))"),
    # "subsidiaries of X", "the headquarters of X", "executive officers of X", "net income attributable to X"
    (r"\b(?:subsidiar(?:y|ies)|headquarters|head office|officers|directors|shareholders|attributable)\s+(?:of|to)\b",
     rf"\b(?i:subsidiar(?:y|ies)|headquarters|head office|officers|directors|shareholders|"
                      rf"attributable)[ ]+(?:of|to)[ ]+(?:the[ ]+)?(?P<name>{_NAME})"),
    # "X chairman, president and CEO Y", "X's chief executive"
    (r"\b(?:chairman|chairwoman|president|founder|chief executive|ceo|cfo|boss|finance chief)",
     rf"(?P<name>{_NAME})[ ]+(?i:chairman|chairwoman|president|founder|chief executive|(?:co-)?ceos?|cfo|boss|"
     r"finance chief)\b"),
    # "X's Jane Doe, who ...": a company's person.
    (r"['’]s\b", rf"(?P<name>{_NAME})['’]s[ ]+{_PN},[ ]+who\b"),
    (rf"(?-i:\bAt[ ]+[0-9{_UP}])", rf"\b(?P<name>At[ ]+{_NAME}),(?=[^.]{{0,80}}?(?i:chief|ceo\b|cfo\b|finance chief))"),
    (r"[\w.&-][ ]+(?:has[ ]+)?(?:formed|created|established|set up|launched|raised|operates)\b",
     rf"(?P<name>{_NAME})[ ]+(?:has[ ]+)?(?:formed|created|established|set up|launched|raised|operates)\b"),
    (r"\b(?:controlled|owned)[ ]+by\b",
     rf"(?P<name>{_NAME})[ ]+(?:is|was|are)[ ]+(?:\w+[ ]+)?(?:controlled|owned|majority[- ]owned)[ ]+by\b"),
    (r"\b(?:controlled|owned)[ ]+by\b", rf"\b(?:controlled|owned|majority[- ]owned)[ ]+by[ ]+(?P<name>{_NAME})"),
    (r"['’]s?\b", rf"(?P<name>{_NAME})['’]s?[ ]+(?:[\w-]+[ ]+){{0,2}}?(?i:chief|ceo|cfo|revenues?|sales|net|operating|"
                 r"shares|stock|headquarters|head office|subsidiar\w*|turnover|profit|board|fiscal|annual|earnings|"
                 r"american depositary|depositary|adrs?|ads|listing|ordinary|common|operating|income|margin|"
                 r"quarterly|results|guidance|ticker|finance|cfo|president|chair\w*|market|unit|division)\b"),
    (r"\bshares of\b", rf"\b(?i:shares of)[ ]+(?P<name>{_NAME})"),
    (r"\b(?:shares|stock)\b", rf"(?P<name>{_NAME})[ ]+(?i:shares|stock)\b(?![ ]+(?i:exchange|market))"),
    (rf"\(\s*(?:{_EXCH})\s*:", rf"(?<!, )(?<!in )(?<!and )(?P<name>{_NAME})\s*\(\s*(?:{_EXCH})\s*:"),  # not "Clara, California (NYSE:"
    (r"\b(?:headquartered|based)\b", rf"(?P<name>{_NAME}),?[ ]+(?:is|was|are)[ ]+(?:headquartered|based)[ ]+in\b"),
    (r"\b(?:headquartered|based)\b",
     rf"(?P<name>{_NAME}),[ ]+(?:(?:the|a|an)[ ]+(?:[\w-]+[ ]+){{0,3}}?)?(?:based|headquartered)[ ]+in\b"),
    (r"\((?:headquarters|head office)\s*:", rf"(?P<name>{_NAME})[ ]+\((?i:headquarters|head office)\s*:"),
    (r"\((?:headquartered|based) in\b", rf"(?P<name>{_NAME})[ ]+\((?i:headquartered|based) in\b"),
    (r"\bhas[ ]+its\b", rf"(?P<name>{_NAME})[ ]+has[ ]+its[ ]+(?:head office|headquarters|registered office)\b"),
    (r"\b(?:headquartered|based)\b",
     rf"\b(?i:headquartered|based) in [^,.]{{1,60}}(?:,[^,.]{{1,60}})?,[ ]+(?P<name>{_NAME})[ ]+(?:is|was|has)\b"),
    (r"\bjoin(?:s|ed)?\b", rf"\b(?:has[ ]+)?(?:joined|joins|will[ ]+join)[ ]+(?P<name>{_NAME})[ ]+as[ ]+(?:its[ ]+|the[ ]+)?"
                          r"(?:new[ ]+)?(?i:chief|ceo|cfo|president|chair)"),
    (r"\b(?:led by|appointed|named|hired|promoted)\b",
     rf"(?P<name>{_NAME})[ ]+(?:is led by|(?:has[ ]+|have[ ]+)?(?:appointed|named|hired|promoted))\b"),
    (r"\b(?:chief|ceo|cfo|finance)\b", rf"\b{_ROLE}[ ]+(?:of|at)[ ]+(?P<name>{_NAME})"),
    (r"\b(?:acqui|bought|owns|subsidiar)",
     rf"(?P<name>{_NAME})[ ]+(?:acquired|has acquired|bought|owns|completed (?:its|the) acquisition of|"
     r"agreed to acquire|(?:is|was|became) a (?:wholly[- ]owned )?subsidiary of)\b"),
    (r"\bsubsidiary of\b", rf"(?P<name>{_NAME}),[ ]+a[ ]+(?:wholly[- ]owned[ ]+)?subsidiary of\b"),
    # "its aerospace subsidiary, Holloway Aero Systems", "parent company of Google LLC"
    (r"\b(?:subsidiary|parent company of)\b",
     rf"\b(?i:its|our|their)[ ]+(?:[a-z][\w-]+[ ]+)?(?i:subsidiary|unit|division),?[ ]+(?P<name>{_NAME})"),
    (r"\bparent company of\b", rf"(?P<name>{_NAME})[ ]+(?:is|was)[ ]+the[ ]+(?:ultimate[ ]+)?parent[ ]+company[ ]+of\b"),
    (r"\b(?:acqui|bought|owns|subsidiar)",
     rf"\b(?:acquired|acquisition of|bought|owns|subsidiary of|acquire)[ ]+(?P<name>{_NAME})"),
    (r"\b(?:trades|traded|listed|quoted)\b",
     rf"(?P<name>{_NAME})[ ]+(?:trades|is traded|is listed|are listed|is quoted|has traded)\b"),
    # "Welcome to the Halcyon Outdoor third-quarter 2024 earnings conference call"
    (r"\b(?:earnings|results)[ ]+(?:conference[ ]+)?call\b",
     rf"\b(?i:to|the)[ ]+(?P<name>{_NAME})[ ]+(?i:(?:first|second|third|fourth)[- ]quarter|q[1-4]|full[- ]year|fiscal|"
     r"annual|half[- ]year)\b[^.]{0,30}?(?i:earnings|results)[ ]+(?i:conference[ ]+)?(?i:call)\b"),
    # "Lululemon Athletica (LULU) said", "Peloton Interactive Inc. (PTON) shares fell"
    (r"\([A-Z]{2,5}(?:\.[A-Z]{1,2})?\)[ ]+(?:said|says|shares|stock|reported|announced|rose|fell|jumped|slid)\b",
     rf"(?P<name>{_NAME})[ ]+\([A-Z]{{2,5}}(?:\.[A-Z]{{1,2}})?\)[ ]+(?:said|says|shares|stock|reported|announced|rose|"
     r"fell|jumped|slid)\b"),
)]
# A match that starts inside a capitalised run ("York" of "New York (NYSE: JPM)") names no company.
_MID_NAME = re.compile(rf"[{_UP}][\w.&-]*(?<!-based)(?<!-headquartered)[ ]+$")
_LISTED = rf"{_NAME}(?:[ ]+\([^()]{{1,30}}\))?"
_SUBSIDIARY_LIST = re.compile(
    rf"(?i:subsidiaries)(?:[ ]+of[ ]+(?P<owner>[^:]{{1,60}}?))?(?:,?[ ]+(?:include|includes|are|such as|including)[ ]+|:[ ]*)"
    rf"(?P<list>{_LISTED}(?:[,;][ ]+{_LISTED})*(?:,?[ ]+and[ ]+{_LISTED})?)")
# Ownership stated by a cue before the owned names: "the owner of A, B and C", "took full control of B",
# "closed its purchase of B", "holds a 70% stake in B".
_OWNS = re.compile(
    r"\b(?i:(?:the )?owner of|owns|acquired|has acquired|bought|(?:closed|completed) (?:its|the) (?:purchase|acquisition) of|"
    r"took (?:full |majority )?control of|holds? (?:(?:a|an) (?:majority|controlling|(?P<pct>\d{2,3}(?:\.\d+)?)%) stake in|"
    r"(?P<pct2>\d{2,3}(?:\.\d+)?)% of (?:the )?(?:shares|share capital|equity|voting rights) (?:in|of))|"
    r"(?:brands|houses|businesses) include)\s+"
    r"(?:(?:[A-Z][a-z]+[ ]+)?(?:[a-z][\w-]+[ ]+){1,2}(?:maker|group|firm|company|business|producer|manufacturer|developer|"
    r"operator|retailer|provider|specialist|start-?up)[ ]+)?"  # "acquired Finnish drill maker Kairos Oy"
    rf"(?P<list>{_LISTED}(?:[,;][ ]+{_LISTED})*(?:,?[ ]+and[ ]+{_LISTED})?)")
_NOT_DONE = re.compile(r"\b(?:plans?|planned|agreed|proposed|potential|talks|bid|offer\w*|consider\w*|would|will|may|"
                       r"could|not|no longer|sold|divest\w*|spin-?off|spun)\b[^.;]{0,40}$", re.I)
# "B, a Recordati company", "B, part of the A group": B belongs to the named owner.
_PART_OF = re.compile(rf",?\s+(?:(?:a|an)\s+(?P<owner>{_NAME})\s+(?:group\s+)?(?:company|business|brand)|"
                      rf"(?:which is\s+|now\s+)?part of(?: the)?\s+(?P<owner2>{_NAME})(?:\s+group)?)\b")
# "B, a subsidiary." / "its wholly owned unit B" / "formed a new subsidiary, B": B belongs to the other company.
_SUBSIDIARY_AFTER = re.compile(r"^,?\s+(?:(?:is|was|remains|became)\s+)?(?:a|an|its|our)\s+(?:[\w-]+\s+){0,3}?"
                               r"(?:(?:wholly|majority)[- ]owned\s+)?"
                               r"(?:subsidiary|unit|division)"
                               r"(?!\s+of)\b", re.I)
_SUBSIDIARY_BEFORE = re.compile(r"\b(?:its|our|their|a|the)\s+(?:new\s+)?(?:(?:wholly|majority)[- ]owned\s+)?"
                                r"(?:[a-z][\w-]+\s+)?(?:subsidiary|unit|division)(?:,|\s+called|\s+named)?\s+$", re.I)
_OWNED_BY = re.compile(r"\b(?:subsidiary of|(?:is|was|are)\s+(?:\w+\s+)?(?:controlled|owned|majority[- ]owned|"
                       r"wholly[- ]owned)\s+by)\b", re.I)
_LEAD_WORDS = frozenset("The In On At For By And Of With Shares Its Their Our This That A An As After Since When While "
                        "Subsidiary Subsidiaries Exhibit Schedule "
                        "Both Unlike Headquartered Based Chief Former Ex Outgoing Interim Acting Under Led According "
                        "Meanwhile Separately".split())
_NOT_COMPANY = frozenset("it he she they we patients doctors users treatment sales revenue results management "
                         "investors analysts company group the ceo cfo chief total net operator board of directors "
                         "committee trustees".split())
# A code after "symbol" is a ticker, not a company: "under the symbol QLF, is based in".
_TICKER_BEFORE = re.compile(r"\b(?i:symbols?|tickers?|code)[ ]+[\"“']?$")
# A role right before a name makes it a person: "finance chief Kevan Parekh said".
_ROLE_BEFORE = re.compile(r"\b(?i:chief executive(?: officer)?|ceo|chief financial officer|cfo|finance chief|"
                          r"finance director|chairman|chairwoman|president)[ ]+$")
_DEMONYM = re.compile(r"(?:ish|ese|ian|ean)$")
_SECURITY_WORDS = frozenset("preferred cumulative redeemable depositary ordinary common".split())
_ROLE_WORDS = frozenset("executive vice officer chief senior principal representative".split())
_TITLE_WORDS = frozenset("ceo cfo president chairman chairwoman director".split())
_FINANCE_CUE = re.compile(r"\b(?:revenues?|sales|net income|profit|chief executive|chief financial|CEO|CFO|"
                          r"headquartered|headquarters|head office|principal executive offices|subsidiar\w+|shares|"
                          r"ticker|NYSE|Nasdaq|fiscal|stake|listed|finance chief)\b", re.I)
_PERSON_ROLE = [re.compile(p) for p in (
    rf"(?P<p>{_PN}),?\s+(?:who\s+)?(?:is|was|has been|became|becomes|serves as|served as|has served as|was named|"
    rf"was appointed|is now|will become|remains)\s+(?:the\s+|its\s+|our\s+|their\s+|(?P<o1>{_NAME})['’]s\s+)?"
    rf"(?:new\s+)?(?P<role>{_ROLE})"
    rf"(?:\s+(?:of|at)\s+(?P<o2>{_NAME}))?",
    rf"(?P<role>{_ROLE})(?:\s+\([^()]{{1,30}}\))?(?:\s+(?:of|at)\s+(?P<o>{_NAME}))?(?:\s+in\s+\d{{4}})?,?\s+"
    rf"(?:(?:is|was|:)\s+)?(?:(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+)?(?P<p>{_PN})",
    rf"(?P<p>{_PN})(?:,|[ ]+[·|–—])\s+(?:the\s+|its\s+|the company['’]s\s+|(?P<o>{_NAME})['’]s\s+)?(?P<role>{_ROLE})"
    rf"(?:\s+(?:at|of)\s+(?:its\s+(?:[a-z][\w-]*\s+){{0,2}})?(?P<o2>{_NAME}))?",
    rf"(?P<p>{_PN})(?:,[^,]{{1,80}},)?\s+(?:has\s+)?(?:joined|joins|will join)\s+(?P<o>{_NAME})\s+as\s+(?:its\s+|the\s+)?"
    rf"(?:new\s+)?(?P<role>{_ROLE})",
    rf"(?:appointed|named|hired|promoted|elected)\s+(?P<p>{_PN})(?:,\s*(?:M\.D\.|Ph\.D\.|Jr\.|Sr\.|MBA|CPA))*"
    rf"(?:,[^,.]{{1,60}},)?,?\s+(?:as\s+)?"
    rf"(?:its\s+|the\s+|our\s+|the company['’]s\s+)?(?:new\s+)?(?P<role>{_ROLE})",
    rf"(?P<p>{_PN})\s+(?:succeeded|succeeds|replaced|replaces|will succeed|will replace)\s+{_PN}\s+as\s+"
    rf"(?:(?:its|the|our)\s+)?(?P<role>{_ROLE})(?:\s+(?:of|at)\s+(?P<o>{_NAME}))?",
    rf"(?P<p>{_PN})\s+(?:has\s+)?(?:chairs|chaired|heads|headed|leads|led)\s+the\s+"
    rf"(?P<role>(?i:executive|management) (?i:board))(?:\s+\([^()]{{1,40}}\))?\s+of\s+(?P<o>{_NAME})",
    rf"(?P<p>{_PN})\s+(?:(?:took over|takes over|will take over|stepped in|steps in|stepped up|has served|serves|"
    rf"served|returned|returns|joined|joins|continues|remains)\s+)?as\s+(?:its\s+|the\s+|our\s+)?(?:new\s+)?"
    rf"(?P<role>{_ROLE})",
)]
_SUBSIDIARY = re.compile(
    r"\b(?:owns|acquired|has acquired|completed (?:the|its) acquisition of|'s subsidiary|subsidiary,?|"
    r"(?:is|was|remains) the (?:ultimate )?(?:parent|(?:bank |financial )?holding) company (?:of|for)|"
    r"wholly[- ]owned subsidiary|is a (?:wholly[- ]owned )?subsidiary of|unit|division)\b", re.I)
_TICKER = re.compile(rf"\b(?:{_EXCH})(?:[ ][A-Z][a-z]+)?\s*:\s*(?P<t>[A-Z][A-Z0-9.]{{0,9}}|\d{{3,6}})(?![\w])"
                     r"|(?<!previous )(?<!former )(?<!old )(?<!proposed )(?<!new )"
                     r"(?i:ticker(?:\s+symbol)?|stock symbol|trading symbol|symbol)\s*[:\-]?\s*[\"“']?"
                     r"(?P<t2>[A-Z][A-Z0-9.]{0,5})[\"”']?(?![\w])"
                     r"|(?i:(?:stock |securities |share )?code)\s*[:\-]?\s*(?P<t3>\d{4,5})\b"
                     r"(?=[^.]{0,40}(?i:stock exchange|exchange|bourse))"
                     r"|(?i:securities code|stock code)\s*[:\-]?\s*(?P<t4>\d{4,5})\b"
                     r"|(?i:trades?|trading|traded|listed|quoted)\s+(?:over the counter\s+)?"
                     r"(?:on\s+(?:the\s+)?[A-Z][\w]*(?:\s+[A-Z][\w]*){0,3}\s+)?"
                     r"(?:as|under)\s+[\"“']?(?P<t5>[A-Z]{2,5}(?: [A-B](?![\w]))?)[\"”']?(?![\w])"
                     # a 10-K cover's table: "Trading Symbol(s) ... | HLYN | The Nasdaq Global Select Market"
                     rf"|(?i:trading symbol)(?s:.){{0,300}}?(?<![\w$.,])(?P<t7>[A-Z]{{1,5}})[ |]+(?:The[ ]+)?(?:{_EXCH}|New York)\b"
                     r"|(?<![\w$])\$(?P<t6>[A-Z]{2,5})(?![\w])")
# A code in brackets right after a company or its shares: "Atlas Copco's A shares (ATCO A)".
# A Reuters code's exchange suffix ("NVDA.O") is dropped; a share class ("BRK.B") is not one.
_PAREN_TICKER = re.compile(r"\s*\((?P<t>[A-Z]{2,5}(?: [A-Z])?)(?:\.(?:O|N|OQ|L|T|PA|DE|AS|HK|TO|AX|SS|SZ|KS|MI|MC|SW|ST"
                           r"|CO|OL|HE|BO|NS))?\)")
_PLACE = rf"[{_UP}][\w.'-]*(?:[ ]+[{_UP}][\w.'-]*)*(?:,[ ]+[{_UP}][\w.'-]*(?:[ ]+[{_UP}][\w.'-]*)*){{0,2}}"
# "headquartered in P", "The headquarters of X are located in P", "(headquarters: P)", "principal executive
# offices are located at 999 Lake Drive, Issaquah, WA 98027" (the street is skipped), "a Basel-based biotech".
_STREET = (r"(?:\d[\w-]*\s+(?:[A-Z][\w.]*\s+){0,4}?(?:[A-Z][\w.-]*)(?:,?\s+(?:Suite|Ste\.?|Floor|Unit)\s+\w+)?"
           r"|(?:[A-Z][\w.-]*\s+){1,3}\d+[A-Za-z]?),\s+(?:\d{4,5}\s+)?")  # "Kalvebod Brygge 12, 1560 Copenhagen"
_HQ = re.compile(rf"(?:(?i:headquartered|based|head office|headquarters|registered (?:and corporate )?office|"
                 rf"corporate office|principal executive offices?|"
                 rf"(?:its |registered )seat)|\bHQ\b)"
                 rf"(?:\s+of\s+(?:the\s+)?{_NAME}(?:,?\s+(?:Inc|Corp|Ltd|AG|SE|plc|A/S)\.?)?)?"
                 rf"(?:\s*:\s*|\s+(?:(?:is|are|was|were)\s+)?(?:(?:located|situated)\s+)?(?:in|at)\s+(?:the\s+)?"
                 rf"|\s+(?:from\s+[{_UP}][\w.'-]*(?:[ ]+[{_UP}][\w.'-]*)*\s+)?to\s+)"
                 rf"(?:{_STREET})?(?P<place>{_PLACE})"
                 rf"|(?<![\w-])(?!(?:The|A|An|In|At)\b)"
                 rf"(?P<place2>(?:[{_UP}][{_LO}]+,[ ])?[{_UP}][{_LO}]+(?:[ ][{_UP}][{_LO}]+)?)-(?:based|headquartered)\b"
                 rf"|\b(?:from|in)\s+(?P<place3>{_PLACE}),?\s+where\s+(?:its|our|the company['’]s)\s+"
                 r"(?i:headquarters|head office|registered office|principal executive offices?)")
# A 10-K cover: "1000 Remington Blvd., Suite 120 / Bolingbrook, Illinois 60440 / (Address of principal executive
# offices)": the city and state right before the note are the registrant's headquarters.
_COVER_ADDRESS = re.compile(rf"(?<![\w,])(?P<place>[{_UP}][\w.'-]+(?:[ ][{_UP}][\w.'-]+)?,[ ]+[{_UP}][\w.]+"
                            rf"(?:[ ][{_UP}][\w.]+)?)(?:[ ]+\d{{5}}(?:-\d{{4}})?)?\s*\((?i:address of principal executive "
                            r"offices?)")
# What a unit must contain for a role (`_PERSON_ROLE`), a ticker, a headquarters or a listed
# company's code (`_TICKER`, `_HQ`, `_PAREN_TICKER`) to be in it: a quick test before the slow patterns.
_ROLE_KEY = re.compile(r"chief|ceo|cfo|financ|vorstand|board", re.I)
_LISTING_KEY = re.compile(r"[:(]|\$[A-Z]|\bHQ\b|(?i:ticker|symbol|code|trad|listed|quoted|headquarter|based|head office|"
                          r"registered office|principal executive office|seat)")
_CAUSE_SUFFIX = re.compile(r"-(?=induced|associated|related)", re.I)
_LEARNED_TYPES = frozenset({vocab.COMPANY, vocab.PERSON, vocab.DRUG, vocab.DISEASE})


class PatternExtractor:
    """Gazetteer + pattern extractor. Deterministic; `gazetteer` may include entities from the store."""

    name = NAME

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer or default_gazetteer()
        self._metric_of = {form: label for label, forms in lexicon.METRICS.items() for form in forms}

    def observe(self, facts: Iterable) -> None:
        """Learn the labels of entities just stored, so later documents recognise them."""
        types: dict = {}
        for f in facts:
            if f.predicate == vocab.RDF.type and f.object in _LEARNED_TYPES:
                types[f.subject] = f.object
        for f in facts:
            if f.predicate in (vocab.LABEL, vocab.ALT_LABEL) and f.subject in types:
                self.gazetteer.add(str(f.object), types[f.subject])

    # ---------------------------------------------------------------------------- entry point
    def extract(self, document: LoadedDocument, chunks: Sequence = ()) -> list[Extraction]:
        text = document.text
        out: list[Extraction] = []
        companies = self._companies(text)
        # A PDF's line breaks are layout (table cells, wrapped lines), not structure: sentences only.
        rows = document.media_type == "text/csv"
        units = [u for u in _units(text, split_lines=document.media_type != "application/pdf", rows=rows)
                 if u.end - u.start <= 2000]
        mentions = [self._mentions(text, u, companies) for u in units]
        main_company = self._main_company(document, companies, units)
        main_drug = _main_drug(text, units, mentions)
        section, previous, line, line_drug, inline = None, None, -1, None, False
        for unit, found in zip(units, mentions):
            starts = text.rfind("\n", 0, unit.start) + 1
            if starts != line:  # a heading inside a line ("...; indication: Y", "X — Contraindications: Y") ends with it
                line, line_drug = starts, None
                section = None if inline else section
            line_drug = line_drug or next((m for m in found if m.type == vocab.DRUG), None)
            heading = _SECTION.match(text, unit.start, unit.end)
            if heading:
                section, inline = heading.lastgroup, bool(text[starts:unit.start].strip())
                unit = Span(heading.end(), unit.end)
                if unit.end <= unit.start:
                    continue
            elif _SECTION_END.match(text[unit.start:unit.end]) or (label := _FIELD_LABEL.match(text, unit.start, unit.end)) \
                    and not any(m.type == vocab.DRUG and m.start < label.end() for m in found):
                section = None  # a new field ends a section, unless it names the drug ("Velmora: ...")
            # the drug a section's facts are about: the one its line names (a table row), else the document's
            facts = self._medical(text, unit, found, (line_drug if inline or rows else None) or main_drug, section)
            out += [_spanning(e, starts) for e in facts]
            section = None if section == "cls" else section  # a class field names one class
            out += self._finance(text, unit, found, main_company, previous)
            previous = unit
        out += statements.figures(text, lambda at: _statement_company(text, at, companies, main_company), NAME)
        if main_company is not None:
            out += [Extraction(main_company, vocab.HEADQUARTERED_IN, Literal(m.group("place")), m.start(), m.end(), 0.85,
                               NAME) for m in _COVER_ADDRESS.finditer(text)]
        return out

    # ---------------------------------------------------------------------------- mentions
    def _companies(self, text: str) -> list[Mention]:
        """Companies named with a legal suffix, and capitalised names used as companies by a predicate
        ("X is a pharmaceutical company", "X reported sales", "shares of X"), at every occurrence."""
        found, names = [], set()
        for m in _COMPANY.finditer(text):
            words = _after_role(m.group("name").split())
            while words and (words[0] in _LEAD_WORDS or words[0] in ("of", "de", "la", "&")
                             or re.search(r"-(?:based|headquartered)$", words[0])):
                words.pop(0)
            if words:
                start = m.start("name") + m.group("name").index(words[0])
                start = max(start, text.rfind("\n", start, m.end()) + 1)  # a name does not span lines
                found.append(Mention(text[start:m.end()], start, m.end(), vocab.COMPANY))
        windows: dict[str, list[tuple[int, int]]] = {}  # keys shared by several cues are searched once
        for key, cue in _COMPANY_CUES:
            if key.pattern not in windows:
                windows[key.pattern] = _windows(text, key)
            for start, end in windows[key.pattern]:
                names.update(n for m in cue.finditer(text, start, end)
                             if not _MID_NAME.search(text, max(0, m.start("name") - 30), m.start("name"))
                             and not _ROLE_BEFORE.search(text, max(0, m.start("name") - 40), m.start("name"))
                             and not _TICKER_BEFORE.search(text, max(0, m.start("name") - 20), m.start("name"))
                             and (n := _company_name(m.group("name"))))
        names.update(_industry_names(text))
        for m in _SUBSIDIARY_LIST.finditer(text):
            names.update(n for part in re.split(r",?[ ]+and[ ]+|[,;][ ]+", re.sub(r"\s*\([^()]*\)", "", m.group("list")))
                         if (n := _company_name(part)))
        if names:  # every occurrence of every name, in one pass: the longest name starting at each offset
            at = re.compile(rf"(?<![\w&])(?=({_alternation(names)})(?![\w&]))")
            found += [Mention(m.group(1), m.start(), m.end(1), vocab.COMPANY) for m in at.finditer(text)]
        return _dedupe(found)

    def _main_company(self, document: LoadedDocument, companies: list[Mention], units: list[Span]) -> Mention | None:
        """The document's main company: the one its first line or sentence names (a title, a
        filing's cover), else the one named most often (first on ties), else the title's name in a
        document about a company, else its opening subject ('Recordati has ...'), else (for a filing)
        the file's stem."""
        registrant = _registrant(document.text)
        if registrant is not None:
            return registrant
        if companies and units:  # named by the first line or sentence, in any case ('KESTREL ROBOTICS, INC.')
            first = f" {vocab.label_key(document.text[units[0].start:units[0].end])} "
            named = [c for c in companies if c.start < units[0].end or f" {vocab.entity_key(c.text)} " in first]
            if named:
                return named[0]
        if companies:
            keys = Counter(vocab.entity_key(c.text) for c in companies)
            best = keys.most_common(1)[0][0]
            return next(c for c in companies if vocab.entity_key(c.text) == best)
        text = document.text
        if units and _FINANCE_CUE.search(text):
            title = re.match(rf"[#*\s]*(?P<name>{_NAME})\s*(?:$|[-–—:(|,])", text[units[0].start:units[0].end])
            name = _company_name(title.group("name")) if title else None
            if name and not lexicon.looks_like_drug(name.split()[0]):
                at = units[0].start + title.start("name")
                return Mention(name, at, at + len(name), vocab.COMPANY)
            lead = _lead_company(text, units)
            if lead is not None:
                return lead
        stem = re.split(r"[_\s]", (document.title or "").strip() or document.uri.rsplit("/", 1)[-1])[0]
        if stem and stem[0].isalnum() and len(stem) <= 40 and document.media_type == "application/pdf":
            name = re.sub(r"\.pdf$", "", stem, flags=re.I)
            at = document.text.find(name)
            return Mention(name, max(at, 0), max(at, 0) + (len(name) if at >= 0 else 0), vocab.COMPANY)
        return None

    def _mentions(self, text: str, s: Span, companies: list[Mention]) -> list[Mention]:
        first = bisect_left(companies, s.start, key=lambda c: c.start)
        found = [c for c in companies[first:bisect_left(companies, s.end, key=lambda c: c.start)] if c.end <= s.end]
        taken = [(m.start, m.end) for m in found]
        found += [m for m in self.gazetteer.find(text, s.start, s.end)
                  if not any(a < m.end and m.start < b for a, b in taken)]
        taken = [(m.start, m.end) for m in found]
        contexts = [*_DRUG_BY_CONTEXT.finditer(text, s.start, s.end), *_DRUG_BY_LABEL.finditer(text, s.start, s.end)]
        for m in contexts:
            for group in (g for g in m.re.groupindex if m.group(g)):
                if group == "k" and not _CLASS_BEFORE_EXAMPLE.search(text, max(s.start, m.start() - 40), m.start("k")):
                    continue  # "MAO inhibitors such as phenelzine": an example of a class
                start, end = m.start(group), m.end(group)
                word = m.group(group).lower()
                if word in _STOP or word in _NOT_DRUGS or word.rstrip("s") in lexicon.CLASS_HEADS or \
                        lexicon.looks_like_condition_head(word) and group not in _STRONG_DRUG_CONTEXTS or \
                        any(a <= start < b for a, b in taken) or \
                        (group in ("c", "w", "g", "h", "f") and not _drug_shaped(m.group(group))
                         and not re.fullmatch(r"[A-Z]{1,4}-\d{2,6}", m.group(group))) or \
                        (group in ("r", "g") and re.search(r"(?:ing|tion|ness|ity|ment|ence|ance|ics)$", word)) or \
                        (group == "w" and re.match(rf"\s+(?:[\w-]+\s+)?(?:{_CLASS_HEAD_WORDS})s?\b", text[end:], re.I)):
                    continue
                found.append(Mention(text[start:end], start, end, vocab.DRUG))
                taken.append((start, end))
        for tok in tokens(text, s.start, s.end):
            word = tok.group()
            base = _CAUSE_SUFFIX.split(word, 1)[0] if "-" in word else word
            base = base[:-2] if base.endswith("'s") else base  # "Warfarin's effect"
            if any(a <= tok.start() < b for a, b in taken):
                continue
            if lexicon.looks_like_drug(base) and (not word[:1].isupper() or len(base) > 6
                                                   or base.lower() in lexicon.DRUGS) \
                    and len((_class_phrase(text, tok.start(), s.end) or "").split()) < 2:  # "Thiazide diuretics"
                found.append(Mention(base, tok.start(), tok.start() + len(base), vocab.DRUG))
                taken.append((tok.start(), tok.start() + len(base)))
            elif lexicon.looks_like_condition_head(word) or word in lexicon.CONDITION_ABBREVIATIONS:
                found.append(Mention(word, tok.start(), tok.end(), vocab.MEDICAL_CONDITION))
                taken.append((found[-1].start, found[-1].end))
        for m in _POPULATION.finditer(text, s.start, s.end):  # "children under 8 years of age": what a label rules out
            if not any(a < m.end() and m.start() < b for a, b in taken):
                found.append(Mention(m.group(), m.start(), m.end(), vocab.MEDICAL_CONDITION))
        found = [_with_salt(text, m, s.end) if m.type == vocab.DRUG
                 else self._condition_phrase(text, s, m) if m.type == vocab.MEDICAL_CONDITION else m for m in found]
        found = _dedupe(found)
        return sorted(found, key=lambda m: m.start)

    def _condition_phrase(self, text: str, s: Span, head: Mention) -> Mention:
        """Extend a condition mention left over up to three modifiers ('acute renal failure') and right
        over a closing word ('diabetes mellitus', 'myasthenia gravis')."""
        start, toks = head.start, tokens(text, s.start, head.start)
        for tok in reversed(toks[-3:]):
            between = text[tok.end():start]
            word = tok.group().lower()
            parts = word.split("-")
            if between.strip() or word in _STOP or word in _ACTION_WORDS or not word.replace("-", "").isalpha() or any(
                    lexicon.looks_like_drug(p) or p in ("induced", "associated", "related") for p in parts):
                break
            start = tok.start()
        end = head.end
        tail = re.match(r"\s+([A-Za-z]+)", text[end:s.end])
        if tail and tail.group(1).lower() in lexicon.CONDITION_TAILS:
            end += tail.end()
        return Mention(text[start:end], start, end, vocab.MEDICAL_CONDITION)

    # ---------------------------------------------------------------------------- medicine
    def _medical(self, text: str, s: Span, mentions: list[Mention], main: Mention | None,
                 section: str | None) -> list[Extraction]:
        drugs = [m for m in mentions if m.type == vocab.DRUG]
        pronoun = _DRUG_PRONOUN.match(text, s.start, s.end)
        if main is not None and pronoun and not drugs:
            drugs = [Mention(main.text, pronoun.start(), pronoun.end(), vocab.DRUG)]
        drugs = _with_anaphors(text, s, drugs, main, pronoun)
        if not drugs and (main is None or section is None and not _DOSE_CUE.search(text, s.start, s.end)):
            return []
        conditions = [m for m in mentions if m.type in (vocab.MEDICAL_CONDITION, vocab.DISEASE, vocab.ADVERSE_EVENT)
                      and m.text.lower() not in ("reaction", "reactions") and not _FREQUENCY.fullmatch(m.text)]
        cue_objects = _cue_objects(text, s, drugs, conditions) + _effect_items(text, s, drugs, conditions)
        conditions = [c for c in _dedupe(conditions + cue_objects) if not _FREQUENCY.fullmatch(c.text)
                      and not re.search(r"\b(?:treatment|therapy|management|maintenance|prevention|use)$", c.text, re.I)]
        out: list[Extraction] = []

        def emit(subject, predicate, obj, confidence) -> None:  # noqa: ANN001
            out.append(Extraction(subject, predicate, obj, s.start, s.end, confidence, NAME))

        interactions = _interactions(text, s, drugs)
        if section == "inter" and main is not None:  # "Warfarin — Drug interactions: A, B and C increase the INR"
            key = vocab.entity_key(main.text)
            interactions = [e for e in interactions if key in (vocab.entity_key(e.subject.text),
                                                               vocab.entity_key(getattr(e.object, "text", str(e.object))))]
        for d in drugs:
            found = {}
            for c in conditions:
                relation = _drug_condition(text, s, d, c)
                if relation and relation[0] == vocab.CAUSES_ADVERSE_EVENT and interactions and (
                        re.search(r"risk of", text[min(d.end, c.end):max(d.start, c.start)], re.I) or
                        _COMBINATION.search(text, s.start, c.start) and any(d in (e.subject, e.object) for e in interactions)):
                    continue  # "co-administration of X and Y increases the risk of bleeding" is the pair's
                if relation is not None:
                    found[c] = relation
            found = _treated_population(text, s, _coordinated(text, conditions, found), conditions, cue_objects)
            found = _renamed(text, conditions, found, cue_objects)
            for c, (predicate, confidence) in found.items():
                if predicate == vocab.CONTRAINDICATED_IN or not _POPULATION.fullmatch(c.text):
                    emit(d, predicate, _as(c, _OBJECT_TYPE[predicate]), confidence)
        out += _shared_treatments(text, drugs, out)
        out += interactions
        out += _drug_class(text, s, drugs)
        out += _dosage(text, s, drugs, main, section)
        if section is not None and main is not None:
            out += _section_defaults(text, s, main, drugs, conditions, section, out)
        return out

    # ---------------------------------------------------------------------------- finance
    def _finance(self, text: str, s: Span, mentions: list[Mention], main: Mention | None,
                 previous: Span | None = None) -> list[Extraction]:
        companies = [main if main is not None and _shortened(c.text, main.text) else c
                     for c in mentions if c.type == vocab.COMPANY]
        company = companies[0] if companies else main
        if company is None:
            return []
        out = self._metrics(text, s, mentions, company, previous)
        executives = _executives(text, s, companies, company) + \
            _pronoun_executive(text, s, previous, company, {c.text for c in mentions if c.type == vocab.COMPANY})
        held = {(e.predicate, vocab.entity_key(e.object.text)) for e in executives}
        executives += [e for e in _role_slots(text, s, companies, main or company)
                       if (e.predicate, vocab.entity_key(e.object.text)) not in held
                       and not any(_same_name(vocab.entity_key(e.object.text), k) for _, k in held)]
        out += executives
        out += _subsidiaries(text, s, companies, main)
        out += _tickers_and_headquarters(text, s, companies, company, main)
        return out

    def _metrics(self, text: str, s: Span, mentions: list[Mention], company: Mention,
                 previous: Span | None = None) -> list[Extraction]:
        """'X reported net sales of DKK 232.3 billion in 2023': one observation per metric with a value;
        without a period of its own, a sentence takes the one of the sentence before ('X published its
        FY24 results. The company lifted gross profit to £412.5m')."""
        if not any(m.type == vocab.METRIC for m in mentions):
            return []
        period = _period(text[s.start:s.end])
        if period is None and previous is not None and not _FORECAST.search(text, previous.start, previous.end):
            period = _period(text[previous.start:previous.end])
        if period is None:
            return []
        scale = _SCALE_NOTE.search(text, s.start, s.end)  # "Selected financial data (in millions): revenue of $3,215"
        out: list[Extraction] = []
        for metric in (m for m in mentions if m.type == vocab.METRIC):
            if _GUIDED.search(text, max(s.start, metric.start - 40), metric.start) or \
                    _FORECAST.search(text, s.start, metric.start):
                continue  # "guided to revenue of $2.8 billion for 2025", "expects 2025 revenue of"
            label = self._metric_of.get(metric.text.lower(), metric.text.lower())
            amount = _amount_after(text, metric.end, s.end, ratio="margin" in metric.text.lower(),
                                   per_share_metric=bool(re.search(r"share|\beps\b", label)))
            if amount is None:
                continue
            if scale and not _AFTER_WORD.match(text, amount[2]) and amount[1] != "USD/share":
                amount = (amount[0] * scale_of(scale.group(1)), *amount[1:])
            out += _observation(company, metric, label, amount[:2], period, s.start, s.end, 0.85)
            eps = _OR_PER_SHARE.match(text, amount[2], s.end)  # "net income was $214 million, or $2.87 per diluted share"
            if eps:
                out += _observation(company, Mention(eps.group("label"), eps.start("label"), eps.end("label"), vocab.METRIC),
                                    "diluted earnings per share" if eps.group("diluted") else "earnings per share",
                                    (Decimal(eps.group("n")), "USD/share"), period, s.start, s.end, 0.8)
            prior = _prior_amount(text, amount[2], s.end, period)
            if prior is not None:
                out += _observation(company, metric, label, prior[0], prior[1], s.start, s.end, 0.8)
        return out


_OBJECT_CUE = re.compile(r"\b(?:used to treat|used for|indicated for|indicated to reduce the risk of|indicated to "
                         r"treat|approved for|to treat|treats|prevents|contraindicated in|should not be (?:used|taken|"
                         r"given) (?:in|by|during)|must not be used in|avoided in)\s+", re.I)
_NP_STOP = frozenset("in with who when if and or for by at as to of on from that which including such than while "
                     "during after before is are was were because due".split())
# What may stand between a drug and that cue: a verb, or a class phrase ("is an anticoagulant that").
_OBJECT_CUE_GAP = re.compile(r"\s*(?:,\s*)?(?:(?:is|are|was)\s+)?(?:(?:also|often|mainly|commonly)\s+)?"
                             r"(?:(?:an?|the)\s+[\w\s()-]{0,60}?\s*(?:that|which|,)?\s*(?:is\s+)?)?", re.I)
_IN_PATIENTS_WITH = re.compile(r"\bin (?:adult |pediatric )?(?:patients|adults|people|children|those|women|men) "
                               r"(?:with|who have)\s+(?:[\w-]+\s+){0,2}$", re.I)
_WORD = re.compile(r"\s*([\w'-]+)")
_OBJECT_TYPE = {vocab.TREATS: vocab.DISEASE, vocab.CAUSES_ADVERSE_EVENT: vocab.ADVERSE_EVENT,
                vocab.CONTRAINDICATED_IN: vocab.MEDICAL_CONDITION}
_SECTION_RELATION = {"ae": (vocab.CAUSES_ADVERSE_EVENT, 0.7), "treats": (vocab.TREATS, 0.7),
                     "contra": (vocab.CONTRAINDICATED_IN, 0.7)}
_NOT_IN_SECTION = re.compile(r"\bincluding\s+(?:with\s+|in\s+)?$|"
                             r"\b(?:patients|adults|children|people|those|subjects) (?:with|who have)\s+(?:\w+\s+){0,2}$|"
                             r"\b(?:trials?|studies|study) (?:in|of)\s+(?:\w+\s+){0,3}$|\btreatment of\s+$", re.I)


def _units(text: str, split_lines: bool = True, rows: bool = False) -> list[Span]:
    """Sentences, further split at line breaks after a heading or a finished line, so a label's
    'ADVERSE REACTIONS' or a title line stands alone; with `rows` (a table's 'column: value; ...'
    lines) every line is its own unit, cut into its fields."""
    if rows:
        lines = [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        return [part for u in lines for part in _fields(text, u) if text[part.start:part.end].strip()]
    if not split_lines:
        return sentences(text)
    out: list[Span] = []
    for s in sentences(text):
        start = s.start
        for nl in re.finditer(r"\n\s*", text[s.start:s.end]):
            at, nxt = s.start + nl.start(), s.start + nl.end()
            line = text[text.rfind("\n", s.start, at) + 1 if text.rfind("\n", s.start, at) >= 0 else s.start:at].strip()
            if nxt < s.end and not text[nxt].islower() and (len(line) <= 60 or line.endswith((".", ":", "!", "?", ";"))):
                if at > start:
                    out.append(Span(start, at))
                start = nxt
        out.append(Span(start, s.end))
    out = [part for u in out for part in _fields(text, u)]
    return [u for u in out if u.end > u.start and text[u.start:u.end].strip()]


def _spanning(e: Extraction, line: int) -> Extraction:
    """A fact read in one field of a line, widened to hold its subject named earlier in that line (a
    table row's drug, a label entry's title), so its span shows both."""
    start = getattr(e.subject, "start", e.start)
    return replace(e, start=start) if line <= start < e.start else e


def _fields(text: str, u: Span) -> list[Span]:
    """A unit cut where a flattened label or table starts a new heading or field."""
    out, start = [], u.start
    for m in _FIELD_BREAK.finditer(text, u.start, u.end):
        heading = _SECTION.match(text, start, m.start())
        if _SECTION.match(text, m.end(), u.end) or _FIELD_LABEL.match(text, m.end(), u.end) or \
                heading and heading.end() == m.start():
            out.append(Span(start, m.start()))
            start = m.end()
    return [*out, Span(start, u.end)]


# How far a cue's match may reach before and after its key's match: a name of a few words, a role
# ("executive chairman of the board, president and chief executive officer"), a place.
_CUE_BEFORE, _CUE_AFTER = 200, 250


def _windows(text: str, key: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where a cue can match: around each match of its key, widened to whole lines and merged (a
    cue's pattern is slow; its key is a fast literal part of it)."""
    out: list[tuple[int, int]] = []
    for m in key.finditer(text):
        start = text.rfind("\n", 0, max(0, m.start() - _CUE_BEFORE)) + 1
        end = text.find("\n", min(len(text), m.end() + _CUE_AFTER))
        end = len(text) if end < 0 else end
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _drug_shaped(word: str) -> bool:
    """Whether a word named by its class ("X is a kinase inhibitor") can be a drug's name: a known
    or drug-shaped name, or a capitalised one (a brand; labels write brands in capitals)."""
    return lexicon.looks_like_drug(word) or (word[:1].isupper() and word.title() not in _LEAD_WORDS
                                                    and word.lower() not in _NOT_COMPANY)


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, as a trie (one branch per next character, longest first), so
    that a scan costs little more with hundreds of words than with one."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            return f"(?:{'|'.join(branches)})?" if branches else ""
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return build(trie)


def _statement_company(text: str, title_at: int, companies: list[Mention], main: Mention | None) -> Mention | None:
    """Whose statement starts at `title_at`: the company named within two lines of its title ('3M
    Company and Subsidiaries', 'PepsiCo, Inc.'), else the document's main company."""
    start = title_at
    for _ in range(2):
        start = max(text.rfind("\n", 0, max(start - 1, 0)), text.rfind("\f", 0, max(start - 1, 0)), -1) + 1
    end = title_at
    for _ in range(3):
        found = text.find("\n", end + 1)
        end = len(text) if found < 0 else found
    near = [c for c in companies if start <= c.start < end]
    return near[0] if near else main


_SEC_COVER = re.compile(r"SECURITIES AND EXCHANGE COMMISSION", re.I)
_REGISTRANT_BEFORE = re.compile(r"([^\n]*)\n[^\n]{0,40}\(\s*exact\s+name\s+of\s+(?:the\s+)?registrant", re.I)
_AFTER_FILE_NUMBER = re.compile(r"commission\s+file\s+(?:number|no\.?):?\s*[\d-]+\.?[ \t\xa0]*\n([^\n]+)", re.I)


def _registrant(text: str) -> Mention | None:
    """The filer an SEC filing's cover names: the line above '(Exact name of registrant as specified
    in its charter)', or the line after the commission file number."""
    head = text[:8000]
    if not _SEC_COVER.search(head[:3000]):
        return None
    m = _REGISTRANT_BEFORE.search(head) or _AFTER_FILE_NUMBER.search(head)
    if m is None:
        return None
    line = m.group(1)
    name = re.split(r"_{3,}|commission\s+file\s+(?:number|no\.?)\s*[\d-]+\.?", line, flags=re.I)[-1].strip(" _\t\xa0")
    if not (2 <= len(name) <= 80) or not re.search(r"[A-Za-z]", name) or name.startswith("(") or ":" in name:
        return None
    at = m.start(1) + line.rfind(name)
    return Mention(name, at, at + len(name), vocab.COMPANY)


def _main_drug(text: str, units: list[Span], mentions: list[list[Mention]]) -> Mention | None:
    """The drug a document is about: the one in its title line, else the one named most often."""
    drugs = [m for found in mentions for m in found if m.type == vocab.DRUG]
    if not drugs:
        return None
    first = [m for m in mentions[0] if m.type == vocab.DRUG]
    if first and _HEADING.match(text[units[0].start:units[0].end]):
        return first[0]
    keys = Counter(vocab.entity_key(d.text) for d in drugs)
    best = keys.most_common(1)[0][0]
    return next(d for d in drugs if vocab.entity_key(d.text) == best)


_LEAD_SUBJECT = re.compile(rf"\W*(?P<name>{_NAME})[ ]+(?:has|had|is|was|said|says|reported|remains|[a-z]+ed)\b")


_INDUSTRY_WORD = re.compile(rf"\b(?:{_COMPANY_WORDS})\b")
_INDUSTRY_NAME = re.compile(rf"(?<![\w&-])(?:{_CAPWORD}[ ]+){{1,3}}$")


def _industry_names(text: str) -> set[str]:
    """'Kestrel Analytics', 'Halvorsen Marine': capitalised names ending in an industry word."""
    out = set()
    for w in _INDUSTRY_WORD.finditer(text):
        lead = _INDUSTRY_NAME.search(text, max(0, w.start() - 50), w.start())
        name = _company_name(lead.group() + w.group()) if lead else None
        if name and len(name.split()) > 1:
            out.add(name)
    return out


def _lead_company(text: str, units: list[Span]) -> Mention | None:
    """The subject opening a finance document ('Recordati has pushed ...') when no company is named
    otherwise: one word, or a name ending in an industry word (two plain words may be a person)."""
    m = _LEAD_SUBJECT.match(text, units[0].start, units[0].end)
    name = _company_name(m.group("name")) if m else None
    if not name or lexicon.looks_like_drug(name.split()[0]) or (
            len(name.split()) > 1 and name.split()[-1] not in lexicon.COMPANY_NAME_WORDS):
        return None
    at = text.index(name, m.start("name"))
    return Mention(name, at, at + len(name), vocab.COMPANY)


def _with_anaphors(text: str, s: Span, drugs: list[Mention], main: Mention | None,
                   pronoun: re.Match | None) -> list[Mention]:
    """Add the main drug where a sentence refers to it ('the drug can lead to', 'after its use',
    'Its blood levels rise when patients start Y') without naming it."""
    if main is None:
        return drugs
    refs = [m for m in _DRUG_ANAPHOR.finditer(text, s.start, s.end)]
    named = any(vocab.entity_key(d.text) == vocab.entity_key(main.text) for d in drugs)
    if pronoun and drugs and not named and pronoun.group() in ("It", "Its"):
        refs.append(pronoun)
    taken = [(d.start, d.end) for d in drugs]
    added = [Mention(main.text, r.start(), r.end(), vocab.DRUG) for r in refs
             if not any(a < r.end() and r.start() < b for a, b in taken)]
    return sorted(drugs + added, key=lambda m: m.start) if added else drugs


def _shortened(name: str, full: str) -> bool:
    """'Novo Nordisk' for 'Novo Nordisk A/S': the same company, named without its suffix."""
    return name != full and (full.startswith(name + " ") or full.startswith(name + ","))


def _after_role(words: list[str]) -> list[str]:
    """The words after a role's 'of'/'at': 'Managing Executive Officer and CFO of Minato Electric' -> 'Minato Electric'."""
    roles = [i for i, w in enumerate(words) if w.lower() in _ROLE_WORDS | _TITLE_WORDS]
    links = [i for i, w in enumerate(words) if w in ("of", "at") and roles and roles[0] < i]
    return words[links[-1] + 1:] if links else words


def _company_name(name: str) -> str | None:
    """A candidate company name without leading function words; None for junk ('The', 'Sales')."""
    words = _after_role(name.split())
    while words and (words[0] in _LEAD_WORDS or words[0] in ("of", "de", "la", "&")
                     or re.search(r"-(?:based|headquartered)$", words[0])):
        words.pop(0)
    while words and words[-1].lower() in ("of", "de", "la", "&"):
        words.pop()
    if not words or all(w.lower() in _NOT_COMPANY for w in words) or re.fullmatch(_MONTH, words[0]) or \
            any(w.lower() in _ROLE_WORDS or w.lower() in ("exchange", "market", "bourse") for w in words):
        return None
    if re.fullmatch(r"(?:[A-Z]\.){2,3}", " ".join(words)):
        return None  # "U.S.", "U.K."
    cut = next((i for i, w in enumerate(words) if i and w.lower() in _TITLE_WORDS | {"cfo", "ceo"}), None)
    words = words[:cut] if cut else words  # "Bellmont Brewing CFO Greta Sørensen said" names Bellmont Brewing
    if len(words) == 1 and _DEMONYM.search(words[0]):
        return None  # "acquired Finnish drill maker X"
    if words[0] in ("Class", "Series") or any(w.lower() in _SECURITY_WORDS for w in words):
        return None  # "Class A shares", "Series A Cumulative Redeemable Preferred Stock"
    if len(words) == 1 and (words[0].lower() in lexicon.DRUGS or words[0].lower() in _STOP or len(words[0]) == 1):
        return None
    return " ".join(words)


_MODIFIER_OR = re.compile(r"(?<=ed|ry|nt|ve|ic|le)\s*,?\s*(?:or|and|and/or)\s+", re.I)


def _cue_objects(text: str, s: Span, drugs: list[Mention], conditions: list[Mention]) -> list[Mention]:
    """Conditions named by their place after a treats/contraindication cue, for words the lexicon lacks
    ('indicated to reduce the risk of cardiovascular death', 'prevents blood clots')."""
    out: list[Mention] = []
    for d in drugs:
        cue = _OBJECT_CUE.search(text, d.end, min(s.end, d.end + 100))
        if cue is None or not _OBJECT_CUE_GAP.fullmatch(_DOSE.sub(" ", text[d.end:cue.start()])):
            continue
        at = cue.end()
        skip = _TREATS_OBJECT.match(text, at, s.end)
        at = skip.end() if skip else at
        words, pos = [], at
        while (w := _WORD.match(text, pos, s.end)) and w.group(1).lower() not in _NP_STOP:
            words.append(w)
            pos = w.end()
        if not words or len(words) > 5 or any(c.start < pos and at < c.end for c in conditions):
            continue
        joined = _MODIFIER_OR.match(text, pos, s.end)  # "relapsed or | refractory lymphoma": a modifier of it
        if joined and len(words) == 1 and any(c.start == joined.end() for c in conditions):
            continue
        start = words[0].start(1)
        out.append(Mention(text[start:pos], start, pos, vocab.MEDICAL_CONDITION))
    return out


def _effect_items(text: str, s: Span, drugs: list[Mention], conditions: list[Mention]) -> list[Mention]:
    """The effects listed after 'the side effects of X were ...', as condition mentions where the
    lexicon names none ('decreased libido'); the relation itself is read by `_drug_condition`."""
    out: list[Mention] = []
    for d in drugs:
        if not _EFFECT_OF_BEFORE.search(text, max(s.start, d.start - 100), d.start):
            continue
        start = _EFFECT_LIST_START.match(text, d.end, s.end)
        at = start.end() if start else None
        while at is not None and (item := _EFFECT_ITEM.match(text, at, s.end)):
            np = item.group("np").rstrip()
            a, b = item.start("np"), item.start("np") + len(np)
            if not any(c.start < b and a < c.end for c in conditions + out):
                out.append(Mention(np, a, b, vocab.MEDICAL_CONDITION))
            at = item.end()
            if not re.match(r"\s*(?:,|and\b|or\b)", text[at:s.end]):
                break
    return out


def _drug_condition(text: str, s: Span, d: Mention, c: Mention) -> tuple[URIRef, float] | None:
    """The relation a cue phrase between a drug and a condition states, with its confidence (a
    treatment a study sets out to test is not yet one it found; a rate that did not differ from
    placebo is no effect)."""
    relation = _cue_relation(text, s, d, c)
    if relation and relation[0] == vocab.TREATS and _AIM.search(text, s.start, min(d.start, c.start)):
        return None
    if relation and relation[0] == vocab.CONTRAINDICATED_IN and \
            re.search(r"\b(?:risk|danger) of\s+(?:[\w-]+\s+){0,2}$", text[max(s.start, c.start - 40):c.start], re.I):
        return vocab.CAUSES_ADVERSE_EVENT, 0.75  # "contraindicated in pregnancy because of its high risk of birth defects"
    if relation and relation[0] == vocab.CAUSES_ADVERSE_EVENT and _NO_EFFECT.search(text, s.start, s.end):
        return None
    return relation


def _cue_relation(text: str, s: Span, d: Mention, c: Mention) -> tuple[URIRef, float] | None:
    gap = text[d.end:c.start] if d.start < c.start else text[c.end:d.start]
    if _COMPARATOR.search(gap) or _NEGATED_BEFORE.search(text, max(s.start, c.start - 40), c.start) or \
            _EXCEPT.search(gap):
        return None
    if d.start < c.start:
        between = text[d.end:c.start]
        before = text[max(s.start, d.start - 100):d.start]
        contra = _CONTRA.search(between) if len(between) <= 80 else None
        if _EFFECT_OF_BEFORE.search(before) and re.fullmatch(r"\s*(?:is|are|was|were|include|included|includes|:)\s*"
                                                             r"(?:(?:very )?(?:common|uncommon|rare)\s*(?:\([^()]{0,30}\))?\s*)?",
                                                             between, re.I):
            return vocab.CAUSES_ADVERSE_EVENT, 0.85
        if _INDUCED.match(between) and len(between) < 40:
            return vocab.CAUSES_ADVERSE_EVENT, 0.9
        if contra and not _NEGATION.search(between[:contra.start()] + between[contra.end():]):
            return vocab.CONTRAINDICATED_IN, 0.85
        if _CONTRA_BEFORE.search(before) and _CONTRA_IF.match(between):
            return vocab.CONTRAINDICATED_IN, 0.8
        after = _CONTRA_AFTER.match(between)
        if after and _CONTRA_IF.match(between[after.end():]):
            return vocab.CONTRAINDICATED_IN, 0.8
        if (_OUTCOME_IN.search(between) or _IMPROVES.search(between)) and not _NEGATION.search(between) \
                and not re.search(r"\bfail", between):
            return vocab.TREATS, 0.7
        treats = _TREATS.search(between)
        near = treats is not None and (len(between) <= 60 or len(between) <= 120 and (
            treats.end() >= len(between) - 25 or _IN_PATIENTS_WITH.search(between[-40:]) is not None)) or (
            len(between) <= 160 and any(_TREATS_FILLER.fullmatch(between, t.end()) for t in _TREATS.finditer(between)))
        if _NOT_ESTABLISHED.search(text, c.end, s.end):
            return None  # "Dosing of X in patients with Y has not been established"
        undosed = _DOSE.sub(" ", between)
        if (near or _TREATS_GAP.fullmatch(undosed) or _POPULATION_GAP.fullmatch(undosed)) \
                and not _NEGATION.search(between):
            return vocab.TREATS, 0.8
        if len(between) <= 60 and _CAUSE_FWD.search(between) and not _NEGATION.search(between):
            return vocab.CAUSES_ADVERSE_EVENT, 0.75
        return None
    between = text[c.end:d.start]
    tail = text[d.end:d.end + 30]
    if len(between) <= 80 and re.match(r"\s+(?:is|are|was|were)\s+(?:therefore\s+)?contra-?indicated\b", tail, re.I) \
            and not _NEGATION.search(between):
        return vocab.CONTRAINDICATED_IN, 0.75  # "In severe hepatic impairment, the use of X is contraindicated"
    clause = re.split(r"[,;]", between)[-1]  # the clause that names the drug
    if len(between) <= 80 and _STARTED_ON.search(clause) and not _HARM_WORDS.search(clause) \
            and not _NEGATION.search(clause) and not re.match(r"[^.;]{0,40}?\bfor\b", _DOSE.sub(" ", text[d.end:s.end])):
        return vocab.TREATS, 0.7  # "Pt w/ CAP; started on ceftriaxone", "Y managed with X", "for Y, we suggest X"
    clause = max(text.rfind(p, s.start, c.start) for p in ",;:")
    if _NEGATION.search(text, max(clause + 1, s.start), c.start):
        return None  # "No cases of QT prolongation or torsades were observed with X"
    contra = _CONTRA_BWD.search(between) if len(between) <= 100 else None
    if contra and not _NEGATION.search(between[:contra.start()] + between[contra.end():]):
        return vocab.CONTRAINDICATED_IN, 0.8
    if _POPULATION_NOUN.match(text, c.end, s.end):
        return None
    if len(between) <= 100 and _EXPOSURE_BEFORE.search(between) and not _NEGATION.search(between):
        return vocab.CAUSES_ADVERSE_EVENT, 0.7
    if len(between) <= 60 and _CAUSE_BWD.search(between) and not _NEGATION.search(between) \
            and not _TREATS.search(between):
        confidence = 0.8 if re.search(r"induced by|caused by|due to|secondary to", between, re.I) \
            else 0.65 if _THERAPY.match(tail) or len(between) < 25 else 0.55
        return vocab.CAUSES_ADVERSE_EVENT, confidence
    if len(between) <= 40 and re.search(r"\b(?:treated with|responds? to|managed with)\b", between, re.I) or \
            len(between) <= 80 and re.search(r"\b(?:can|may|should|is|are|were|was) (?:be |been )?(?:treated|managed) "
                                             r"with\s+$", between, re.I) and not _NEGATION.search(between):
        return vocab.TREATS, 0.7
    return None


# A trial outcome in a population: "achieved clinical cure in 87% of adults with Y", "was superior to
# placebo for weight management in adults with Y".
_OUTCOME_IN = re.compile(r"\b(?:cure[ds]?|remission|effective|efficacy|superior|benefit\w*|improv\w*|reduc\w+)\b"
                         r"[^.;]{0,120}\b(?:patients|adults|people|children|subjects|participants|those) "
                         r"(?:with|who had|who have)\s+(?:[\w-]+\s+){0,2}$", re.I)


# What may stand between a treatment cue and its condition: "indicated for | the treatment of adult
# patients with relapsed or | refractory mantle cell lymphoma", "used for | the long-term management of | gout".
_TREATS_FILLER = re.compile(
    r"\s*(?:the |a |an )?(?:(?:long-term|short-term|acute|chronic|initial|symptomatic|adjunctive|maintenance)\s+)*"
    r"(?:(?:treatment|relief|management|prevention|control|therapy)\s+(?:of|for|in)\s+(?:the |a |an )?)?"
    r"(?:(?:adult |pediatric |paediatric |elderly )?(?:patients|people|adults|children|those|women|men|individuals)\s+"
    r"(?:with|who have|suffering from)\s+)?(?:[\w-]+\s+(?:(?:or|and)\s+)?){0,2}", re.I)


_IMPROVES = re.compile(r"\b(?:improvement|improved|benefit|remission|efficacy|relief|resolution|healing)\s+(?:in|of)\s+"
                       r"(?:[\w-]+\s+){0,2}$", re.I)


def _is_population(text: str, s: Span, c: Mention) -> bool:
    return bool(_IN_PATIENTS_WITH.search(text, max(s.start, c.start - 40), c.start))


def _treated_population(text: str, s: Span, found: dict, conditions: list[Mention], cue_objects: list[Mention]) -> dict:
    """'reduce the risk of stroke in patients with atrial fibrillation': a named condition is treated and
    the population only says who; 'chronic weight management in adults with obesity': the goal is no
    condition, so the population's condition is what is treated."""
    goals = {(m.start, m.end) for m in cue_objects}
    out = dict(found)
    for c, (predicate, _) in found.items():
        if predicate != vocab.TREATS or not _is_population(text, s, c):
            continue
        earlier = [o for o, r in found.items() if o.end <= c.start and r[0] == vocab.TREATS]
        if any((o.start, o.end) not in goals for o in earlier):
            out.pop(c, None)
        else:
            for o in earlier:
                out.pop(o, None)
    for c in conditions:  # a population right after a goal: 'chronic weight management in adults with obesity'
        goal = next((o for o, r in found.items() if r[0] == vocab.TREATS and (o.start, o.end) in goals
                     and 0 < c.start - o.end <= 60), None)
        if goal is not None and c not in found and _is_population(text, s, c):
            out[c] = found[goal]
            out.pop(goal, None)
    return out


def _renamed(text: str, conditions: list[Mention], found: dict, cue_objects: list[Mention]) -> dict:
    """A medical term in brackets after a related phrase names it: 'blood clots in the veins of your legs
    (deep vein thrombosis) and in your lungs (pulmonary embolism)'; a lay phrase read only from its
    cue gives way to the term."""
    out = dict(found)
    lay = {(m.start, m.end) for m in cue_objects}
    for c in conditions:
        if not (text[c.start - 1:c.start] == "(" and text[c.end:c.end + 1] == ")"):
            continue
        earlier = [o for o in out if o.end <= c.start and c.start - o.end <= 60]
        if earlier:
            source = max(earlier, key=lambda o: o.end)
            out.setdefault(c, out[source])
            if (source.start, source.end) in lay and out[c][0] == out[source][0]:
                out.pop(source)
    return out


_CLAUSE_VERB = re.compile(r"\s+(?:was|were|is|are|has|have|had|did|does)\b", re.I)


def _coordinated(text: str, conditions: list[Mention], found: dict) -> dict:
    """Spread a relation over a list: 'side effects include nausea, insomnia, and dizziness'."""
    out = dict(found)
    changed = True
    while changed:
        changed = False
        for a, b in zip(conditions, conditions[1:]):
            gap = text[a.end:b.start]
            if not gap.strip() or not (_LIST_GAP.fullmatch(gap) or _POPULATION_LIST_GAP.fullmatch(gap)):
                continue
            if ";" in gap and _CLAUSE_VERB.match(text, b.end):
                continue  # "...; lactic acidosis was not reported" opens a new clause
            if a in out and b not in out:
                out[b], changed = out[a], True
            elif b in out and a not in out:
                out[a], changed = out[b], True
    return out


# An interaction named anywhere in a sentence about exactly two drugs: "(CYP3A4 interaction)",
# "co-medication with X doubled Y exposure", "do not take X while on Y, as together they ...".
_INTERACTION_WORD = re.compile(r"\b(?:interact\w*|co-?administ\w*|together|"
                               r"(?:blood|plasma|serum|trough) (?:levels?|concentrations?)|exposure|clearance)\b", re.I)
_NO_INTERACTION = re.compile(r"\b(?:no|not|without|neither|nor|ruled out)\b[^.;]{0,60}\b(?:interact\w*|effect on|"
                             r"affect\w*|alter\w*|change\w*|difference)|\bdid not\b|\bno dose adjustment\b", re.I)


def _sentence_interaction(text: str, s: Span, drugs: list[Mention], found: list[Extraction]) -> list[Extraction]:
    """Two drugs and interaction vocabulary in one sentence (no comparison, no negation) interact."""
    keys = {vocab.entity_key(d.text): d for d in drugs}
    pair = sorted(keys.values(), key=lambda m: m.start)
    if len(pair) == 2 and re.fullmatch(r"\s*[;,/]\s*", text[pair[0].end:pair[1].start]):
        return []  # "interacts_with: aspirin;ibuprofen" lists two partners of someone else
    if found or len(keys) != 2 or not _INTERACTION_WORD.search(text, s.start, s.end) or \
            _COMPARATOR.search(text, s.start, s.end) or _NO_INTERACTION.search(text, s.start, s.end):
        return []
    a, b = sorted(keys.values(), key=lambda m: m.start)
    return [Extraction(a, vocab.INTERACTS_WITH, b, s.start, s.end, 0.65, NAME)]


_COORDINATION = re.compile(r"\s*(?:,|,?\s*(?:and|or))\s*", re.I)


def _cue_between(text: str, a: Mention, b: Mention) -> bool:
    """An interaction cue other than a bare 'and'/'with' joins `a` to `b`."""
    between = text[a.end:b.start]
    return len(between) <= 60 and _INTERACTS.search(between) is not None and \
        not re.fullmatch(r"\s*(?:,|and|or|with)?\s*", between, re.I) and not _COMPARATOR.search(between)


def _interactions(text: str, s: Span, drugs: list[Mention]) -> list[Extraction]:
    """Drug pairs joined by an interaction cue; a list after the first partner shares its subject."""
    out: list[Extraction] = []
    sentence = text[s.start:s.end]
    if _NO_INTERACTION.search(sentence) and re.search(r"\binteract", sentence, re.I):
        return out
    subject = None
    for i, (a, b) in enumerate(zip(drugs, drugs[1:])):
        between = text[a.end:b.start]
        if vocab.entity_key(a.text) == vocab.entity_key(b.text):
            continue
        partner = drugs[i + 2] if i + 2 < len(drugs) else None
        if subject is None and partner is not None and _COORDINATION.fullmatch(between) and \
                _INTERACTION_CUE.search(sentence) and _cue_between(text, b, partner):
            # "Diltiazem and verapamil push up ivabradine levels": both interact with the third
            out.append(Extraction(a, vocab.INTERACTS_WITH, partner, s.start, s.end, 0.7, NAME))
            continue
        if len(between) <= 80 and _ALIAS.match(between):
            out.append(Extraction(a, vocab.ALT_LABEL, Literal(b.text), s.start, s.end, 0.9, NAME))
            continue
        if subject is not None and between.strip() and (_LIST_GAP.fullmatch(between) or _AND_WITH.search(between)):
            out.append(Extraction(subject, vocab.INTERACTS_WITH, b, s.start, s.end, 0.7, NAME))
        elif (len(between) <= 60 and _INTERACTS.search(between) and _INTERACTION_CUE.search(sentence)
              and (not re.fullmatch(r"\s*(?:,|and|or)\s*", between, re.I) or _PAIR_INTERACTS.match(text, b.end, s.end))
              or len(between) <= 100 and _LONG_CUE.search(between)) and not _COMPARATOR.search(between):
            subject = a
            out.append(Extraction(a, vocab.INTERACTS_WITH, b, s.start, s.end, 0.75, NAME))
        else:
            subject = None
    out += [Extraction(a, vocab.INTERACTS_WITH, b, s.start, s.end, 0.75, NAME)
            for m in _CONCOMITANT.finditer(text, s.start, s.end)
            for a in drugs if a.start == m.start("a") for b in drugs if b.start == m.start("b")]
    out += _sentence_interaction(text, s, drugs, out)
    return [e for e in out if e.predicate != vocab.INTERACTS_WITH
            or vocab.entity_key(e.subject.text) != vocab.entity_key(getattr(e.object, "text", str(e.object)))]


_DRUG_AND = re.compile(r"\s*(?:\+|plus|and|or|,)\s*", re.I)


def _shared_treatments(text: str, drugs: list[Mention], found: list[Extraction]) -> list[Extraction]:
    """Drugs given together share what one of them is given for: 'started ceftriaxone 1 g IV q24h +
    azithromycin 500 mg PO daily for CAP', 'SGLT2 inhibitors such as empagliflozin and dapagliflozin are
    recommended for Y'."""
    out: list[Extraction] = []
    for a, b in zip(drugs, drugs[1:]):
        if not _DRUG_AND.fullmatch(_DOSE.sub(" ", text[a.end:b.start])):
            continue
        have = {(e.subject.text, vocab.entity_key(str(getattr(e.object, "text", e.object)))) for e in found + out
                if e.predicate == vocab.TREATS}
        for x, y in ((a, b), (b, a)):
            for e in found + out:
                if e.predicate == vocab.TREATS and e.subject is x and (y.text, vocab.entity_key(e.object.text)) not in have:
                    out.append(Extraction(y, vocab.TREATS, e.object, e.start, e.end, min(e.confidence, 0.7), NAME))
    return out


def _drug_class_any(text: str, s: Span, drugs: list[Mention]) -> list[Extraction]:
    """Each drug's class: after 'is a', an apposition, a bracket or a 'category:' label (with further
    classes after ';'), before the drug, or an abbreviation in brackets ('rivaroxaban (DOAC)')."""
    out = [e for d in drugs for e in _classes_of(text, s, d)]
    for a, b in zip(drugs, drugs[1:]):  # "Losartan and valsartan belong to the ARBs", "ARBs such as A and B": both
        if not re.fullmatch(r"\s*(?:,|,?\s+and|,?\s+or)\s+", text[a.end:b.start]) or \
                lexicon.CLASS_HEADS & {a.text.lower().rstrip("s"), b.text.lower().rstrip("s")}:
            continue
        for x, y in ((b, a), (a, b)):
            if not any(e.subject is y for e in out):
                out += [Extraction(y, vocab.DRUG_CLASS, e.object, s.start, s.end, e.confidence, NAME)
                        for e in out if e.subject is x]
    return out


def _classes_of(text: str, s: Span, d: Mention) -> list[Extraction]:
    """The classes a sentence names for one drug (see `_drug_class_any`)."""
    abbr = _CLASS_ABBR.match(text, d.end, s.end)
    if abbr:
        return [Extraction(d, vocab.DRUG_CLASS, Literal(abbr.group("abbr")), s.start, s.end, 0.8, NAME)]
    cue = _CLASS_LABEL.match(text, d.end, s.end) or _CLASS.match(text, d.end, s.end) or \
        _CLASS_BRACKET.match(text, d.end, s.end)
    phrase = (_class_phrase(text, cue.end(), s.end) if cue else None) or _class_before(text, s, d)
    if phrase:
        phrases = [phrase]
        at = text.find(phrase, cue.end()) + len(phrase) if cue and text.find(phrase, cue.end()) >= 0 else -1
        while at > 0 and (more := re.match(r"\s*(?:\([\w-]+\))?\s*;\s*", text[at:s.end])):
            nxt = _class_phrase(text, at + more.end(), s.end)
            if not nxt:
                break
            phrases.append(nxt)
            at = text.find(nxt, at + more.end()) + len(nxt)
        return [Extraction(d, vocab.DRUG_CLASS, Literal(_singular_class(p)), s.start, s.end, 0.8, NAME)
                for p in phrases]
    return []


_CLASS_BRACKET = re.compile(r"\s*\((?=[^()]{3,60}\))")  # "bisoprolol (cardioselective β-blocker)"


def _singular_class(phrase: str) -> str:
    """'SGLT2 inhibitors' -> 'SGLT2 inhibitor': a qualified class is named in the singular (a bare
    plural such as 'statins' is the usual name of its class and stays)."""
    head = phrase.rsplit(" ", 1)[-1]
    if " " in phrase and head.lower().endswith("s") and head.lower()[:-1] in lexicon.CLASS_HEADS:
        return phrase[:-1]
    return phrase


def _class_before(text: str, s: Span, d: Mention) -> str | None:
    """A class phrase ending right before the drug: after a determiner ('the SSRI fluoxetine'), or
    before 'such as'/'like' (a plural class, named in the singular: 'SGLT2 inhibitors such as X')."""
    link = _CLASS_LINK.search(text, max(s.start, d.start - 20), d.start)
    end = link.start() if link else d.start
    words = tokens(text, max(s.start, end - 80), end)
    if not words or text[words[-1].end():end].strip():
        return None
    last = words[-1].group().lower().rsplit("-", 1)[-1]  # "beta-blockers" ends in a blocker
    if not (last in lexicon.CLASS_HEADS or last.rstrip("s") in lexicon.CLASS_HEADS or last.endswith(("statin", "statins"))
            or last in lexicon.CLASS_GENERIC):
        return None
    for k in range(min(6, len(words)), 0, -1):
        start = words[-k].start()
        phrase = _class_phrase(text, start, end)
        if phrase is None or len(phrase.split()) != len(text[start:end].split()) or any(
                w.lower() in _STOP or w.lower().endswith("ing") for w in phrase.split()):
            continue
        if link is None and not _DETERMINER_BEFORE.search(text, max(s.start, start - 5), start):
            continue
        if link is not None and "," in link.group() and not re.search(r"such|like|including|e\.g", link.group()) \
                and not _DETERMINER_BEFORE.search(text, max(s.start, start - 5), start):
            continue
        head = phrase.rsplit(" ", 1)[-1]
        if link is not None and head.lower().endswith("s") and head.lower()[:-1] in lexicon.CLASS_HEADS:
            phrase = phrase[: -1]
        return phrase
    return None


# An enzyme or transporter role ("a strong CYP3A inhibitor", "P-gp inducers") is pharmacokinetics, not a class.
_PK_ROLE = re.compile(r"\b(?:CYP\w*|P-?gp|P-glycoprotein|OATP\w*|BCRP|UGT\w*|strong|moderate|weak|potent)\b", re.I)


def _drug_class(text: str, s: Span, drugs: list[Mention]) -> list[Extraction]:
    found = _drug_class_any(text, s, drugs) + _class_heading(text, s, drugs)
    return [e for e in found if not _PK_ROLE.search(str(e.object))]


_CLASS_HEADING = re.compile(r"\s*(?P<label>[^:;.]{3,60}):\s")


def _class_heading(text: str, s: Span, drugs: list[Mention]) -> list[Extraction]:
    """A formulary's class heading over its drugs: 'Beta-blockers: metoprolol (preferred), bisoprolol'."""
    m = _CLASS_HEADING.match(text, s.start, s.end)
    phrase = _class_phrase(text, m.start("label"), m.end("label")) if m else None
    if not phrase or len(phrase) != len(m.group("label").strip()) or any(d.start < m.end() for d in drugs):
        return []
    return [Extraction(d, vocab.DRUG_CLASS, Literal(_singular_class(phrase)), s.start, s.end, 0.75, NAME)
            for d in drugs]


def _class_phrase(text: str, start: int, end: int) -> str | None:
    """The class named at `start` if its head is a class word: 'proton pump inhibitor', 'anticoagulant'
    (from 'anticoagulant medicine'), 'nonsteroidal anti-inflammatory drug'."""
    words, at = [], start
    while (w := _CLASS_WORD.match(text, at, end)) and len(words) < 7:
        if w.group(1).lower() in _CLASS_STOP:
            if w.group(1).lower() == "of" and words and words[-1].lower() not in ("class", "group", "family"):
                return None  # "an inhibitor of CYP3A4" names a mechanism
            rest = _class_phrase(text, w.end(), end) if w.group(1).lower() == "and" and words else None
            if rest:  # "dual GIP and GLP-1 receptor agonist": one class over a coordination
                return " ".join(words) + " and " + rest
            break
        words.append(w.group(1))
        at = w.end()
    while words and (words[-1].startswith("(") or words[-1].lower() in ("class", "group", "family")):
        words.pop()

    def head_ok(ws: list[str]) -> bool:
        head = ws[-1].lower().rsplit("-", 1)[-1] if ws else ""  # "β-blocker" is a blocker
        return head in lexicon.CLASS_HEADS or head.rstrip("s") in lexicon.CLASS_HEADS or head.endswith("statin")

    if len(words) > 1 and words[-1].lower() in lexicon.CLASS_GENERIC and words[-2].lower().startswith("anti") \
            and not head_ok(words[:-1]):
        return " ".join(words)  # "antiseizure medication", "disease-modifying antirheumatic drug"

    if len(words) > 1 and words[-1].lower() in lexicon.CLASS_GENERIC:
        if head_ok(words[:-1]):
            words.pop()
        elif words[-2].lower().endswith(("ic", "ory")) and words[-2].lower() not in ("typical", "generic", "specific"):
            return " ".join(words)
    while len(words) > 1 and not head_ok(words) and words[-1].lower() not in lexicon.CLASS_GENERIC:
        words.pop()  # "monoclonal antibody directed against CD38" names a monoclonal antibody
    return " ".join(words) if head_ok(words) else None


# A dose step, not a dose: "titrate by 50 mg/day weekly", "increase in increments of 5 mg".
_STEP_BEFORE = re.compile(r"\b(?:titrat\w*|increas\w*|decreas\w*|reduc\w*|increments?)\s+(?:up\s+|down\s+)?"
                          r"(?:by|of|in)\s+(?:increments of\s+)?$|\b(?:above|exceeding|over|more than|greater than|"
                          r"higher than|up to|not to exceed|maximum(?: of)?)\s+$", re.I)  # a limit is not a dose


def _dosage(text: str, s: Span, drugs: list[Mention], main: Mention | None, section: str | None) -> list[Extraction]:
    """Doses in a sentence with a dosing cue, a frequency or under a dosage heading ('a 180 mg loading
    dose, then 90 mg twice daily'); the drug is the nearest one named, else the document's main drug."""
    cue = _DOSE_CUE.search(text, s.start, s.end) or section == "dose"
    out = []
    for dose in _DOSE.finditer(text, s.start, s.end):
        if not (cue or dose.group("freq") or dose.group("route")) or \
                _STEP_BEFORE.search(text, max(s.start, dose.start() - 30), dose.start()):
            continue
        drug = min(drugs, key=lambda m: abs(m.start - dose.start())) if drugs else main
        if drug is None:
            break
        out.append(Extraction(drug, vocab.DOSAGE, Literal(dose.group().strip()), s.start, s.end, 0.8, NAME))
    return out


def _section_defaults(text: str, s: Span, main: Mention, drugs: list[Mention], conditions: list[Mention],
                      section: str, found: list[Extraction]) -> list[Extraction]:
    """Under a label heading, conditions (or drugs, for interactions) of a sentence relate to the main drug."""
    if _NEGATION.search(text, s.start, s.end):
        return []
    related = {vocab.entity_key(e.object.text) for e in found if isinstance(e.object, Mention)}
    related |= {vocab.entity_key(e.subject.text) for e in found if isinstance(e.subject, Mention)
                and e.predicate != vocab.DRUG_CLASS}
    out: list[Extraction] = []
    if section == "cls":  # "Class: retinoid", "Pharmacotherapeutic group: antithrombotic agents, direct factor Xa inhibitors"
        phrases = [_class_phrase(text, m.start(), m.end()) for m in _LIST_ITEM.finditer(text, s.start, s.end)]
        return [Extraction(main, vocab.DRUG_CLASS, Literal(_singular_class(p)), s.start, s.end, 0.8, NAME)
                for p in phrases if p]
    if section == "inter":
        for d in drugs:
            if vocab.entity_key(d.text) not in related | {vocab.entity_key(main.text)}:
                out.append(Extraction(main, vocab.INTERACTS_WITH, d, s.start, s.end, 0.7, NAME))
        return out
    if section not in _SECTION_RELATION:
        return out
    predicate, confidence = _SECTION_RELATION[section]
    for c in conditions:
        if vocab.entity_key(c.text) in related or _NOT_IN_SECTION.search(text, s.start, c.start) and section != "treats" \
                or section != "contra" and _POPULATION.fullmatch(c.text):
            continue
        if section == "treats" and _is_population(text, s, c) and any(
                e.predicate == vocab.TREATS and isinstance(e.object, Mention) and e.object.end <= c.start for e in found):
            continue
        out.append(Extraction(main, predicate, _as(c, _OBJECT_TYPE[predicate]), s.start, s.end, confidence, NAME))
    return out


_HYPOTHETICAL_ROLE = re.compile(r"\b(?:to become|front-?runner|candidates?|in line to|could become|would become|"
                                r"may become|tipped|shortlist\w*|speculat\w*)\b[^.;]{0,40}$", re.I)


def _role_predicate(role: str) -> URIRef:
    """The officer a role names: a finance role ('CFO', 'finance director', 'Finanzvorstand') is the CFO,
    any other ('chief executive', 'Vorstandsvorsitzender') the CEO."""
    return vocab.CFO if re.search(r"financ|cfo|finanz", role, re.I) else vocab.CEO


def _executives(text: str, s: Span, companies: list[Mention], company: Mention) -> list[Extraction]:
    """CEO and CFO from role phrases: 'Jane Doe became chief executive officer of X', 'CEO Jane Doe',
    'Its chief executive officer in 2023 was Jane Doe', 'Jane Doe, X's chief financial officer'."""
    out, seen = [], set()
    if not _ROLE_KEY.search(text, s.start, s.end):
        return out
    names = {c.text for c in companies}
    for pattern in _PERSON_ROLE:
        for m in pattern.finditer(text, s.start, s.end):
            person, role = m.group("p"), m.group("role").lower()
            if _not_a_person(person, names) or _NOT_HELD_AFTER.match(text, m.end("role"), s.end) \
                    or re.match(r"(?i:interim|acting)\b", role) \
                    or _NOT_HOLDING.search(text, max(s.start, m.start("role") - 30), m.start("role")) or _FORMER.search(text, max(s.start, m.start("role") - 12), m.start("role")) \
                    or _SUCCEEDED.search(text, max(s.start, m.start("p") - 40), m.start("p")) \
                    or _HYPOTHETICAL_ROLE.search(text, max(s.start, m.start("role") - 60), m.start("role")) \
                    or re.search(r"\b(?:joined|joins|join)\s+$", text[max(s.start, m.start("p") - 10):m.start("p")]) \
                    or m.start("role") > m.start("p") and re.match(rf"\s+{_PN}", text[m.end("role"):s.end]):
                continue  # a candidate; the company someone joined; "CEO Henrik Dahl, CFO Mette Lauritsen"
            org = next((m.group(g) for g in ("o", "o1", "o2") if g in pattern.groupindex and m.group(g)), None)
            subject = next((c for c in companies if org and (c.text in org or org in c.text)), company)
            predicate = _role_predicate(role)
            if (predicate, person) in seen:
                continue
            seen.add((predicate, person))
            who = Mention(person, m.start("p"), m.end("p"), vocab.PERSON)
            out.append(Extraction(subject, predicate, who, s.start, s.end, 0.85, NAME))
    return out


_PRONOUN_ROLE = re.compile(rf"\s*(?:He|She)\s+(?:has\s+)?(?:served|serves|was appointed|was named|became|is|has been|"
                           rf"will become|will be)\s+(?:as\s+)?"
                           rf"(?:the\s+|our\s+|its\s+|(?i:the company)['’]s\s+)?(?:new\s+|next\s+)?(?P<role>{_ROLE})")


def _pronoun_executive(text: str, s: Span, previous: Span | None, company: Mention,
                       names: set[str]) -> list[Extraction]:
    """'X joined Y in 2018. He has served as the Company's Chief Financial Officer since 2022': the
    role is held by the person the sentence before named first."""
    m = _PRONOUN_ROLE.match(text, s.start, s.end)
    people = [p for p in _PERSON.finditer(text, previous.start, previous.end)
              if not _not_a_person(p.group().strip(), names)
              and vocab.entity_key(p.group()) != vocab.entity_key(company.text)] if m and previous is not None else []
    person = people[0] if people else None
    if person is None or re.match(r"(?i:interim|acting)\b", m.group("role")):
        return []
    predicate = _role_predicate(m.group("role"))
    who = Mention(person.group().strip(), person.start(), person.end(), vocab.PERSON)
    return [Extraction(company, predicate, who, s.start, s.end, 0.75, NAME)]


# Broad slot filling for executives: a role cue, the person next to it, the company it belongs to.
_ROLE_CUE = re.compile(r"\b(?i:(?:co-)?(?:chief executive(?: officer)?|ceo|boss|chief financial officer|"
                       r"chief finance officer|cfo|finance chief|finance director))(?:s\b|\b)")
_PARTICLE = r"(?:de|del|de los|de la|van|van der|von|da|di|du|le|la|bin|al)"
_PERSON = re.compile(rf"(?<![\w-])(?:(?:Dr|Prof|Mr|Ms|Mrs)\.?[ ]+)?{_PWORD}(?:[ ]+[{_UP}]\.)?"
                     rf"(?:[ ]+(?:{_PARTICLE}[ ]+)?{_PWORD}){{1,3}}")
_NOT_HOLDING = re.compile(r"\b(?:former|ex-|outgoing|interim|acting|previous|retired|retiring|departing|would-be)\s+"
                          r"(?:[\w-]+\s+){0,2}$", re.I)
_NOT_HELD_AFTER = re.compile(r"\s*(?:role|position|job|post|search|candidates?|vacancy|succession)\b|[^.;]{0,40}\buntil\b",
                             re.I)
_LEFT_ROLE = re.compile(r"\b(?:stepped down|step down|resign\w*|left|retir\w*|quit|ousted|fired|depart\w*|"
                        r"approached|about|offered|turned|declin\w*|replac\w*|succeed\w*|ex-)\b", re.I)
_PERSON_AFTER_ROLE = re.compile(r"\s*(?:,\s*|:\s*|\s+(?:is|was)\s+)?(?=\S)")
_OWN_PRONOUN = re.compile(r"\b(?:its|our|their|the (?:company|group|firm)['’]s?)\s+(?:[\w-]+\s+){0,3}$", re.I)


def _role_slots(text: str, s: Span, companies: list[Mention], main: Mention | None) -> list[Extraction]:
    """CEO/CFO from any role cue with a person right after it ('Group CFO Jane Doe', 'co-CEOs A and B')
    or just before it in the same clause ('Jane Doe, 52, has served as our CEO', 'Jane Doe (CFO)')."""
    names = {c.text for c in companies}
    people = [m for m in _PERSON.finditer(text, s.start, s.end)
              if not _not_a_person(re.sub(r"^(?:Dr|Prof|Mr|Ms|Mrs)\.?\s+", "", m.group()), names)
              and not re.search(r"\b(?:joined|joins|join)\s+$", text[max(s.start, m.start() - 10):m.start()])]
    out = []
    for cue in _ROLE_CUE.finditer(text, s.start, s.end):
        if _NOT_HOLDING.search(text, max(s.start, cue.start() - 30), cue.start()) or \
                _NOT_HELD_AFTER.match(text, cue.end(), s.end) or \
                _HYPOTHETICAL_ROLE.search(text, max(s.start, cue.start() - 60), cue.start()) or \
                re.search(r"\bwho was\s+$", text[max(s.start, cue.start() - 10):cue.start()]) or \
                re.match(r"[^.;]{0,60}\buntil\s+(?:19|20)\d{2}\b", text[cue.end():s.end]):
            continue  # "the front-runner to become its next chief executive", "who was CFO of X until 2022"
        predicate = _role_predicate(cue.group())
        holders = _holders(text, cue, people)
        subject = _role_company(text, s, cue, companies, main)
        if subject is None:
            continue
        for p in holders:
            out.append(Extraction(subject, predicate, Mention(p.group(), p.start(), p.end(), vocab.PERSON),
                                  s.start, s.end, 0.75, NAME))
    return out


def _holders(text: str, cue: re.Match, people: list[re.Match]) -> list[re.Match]:
    """The people a role cue names: those right after it (a coordinated pair too), else the nearest one
    before it in the same clause; one named as replaced ('who replaced Y as CEO') gives way to the subject."""
    gap = _PERSON_AFTER_ROLE.match(text, cue.end())
    after = [p for p in people if gap and p.start() == gap.end()]
    if after:
        more = [p for p in people if re.fullmatch(r"\s*(?:,|and|&)\s*", text[after[-1].end():p.start()])]
        return after + more[:1]
    before = [p for p in people if p.end() <= cue.start() and cue.start() - p.end() <= 100]
    if not before:
        return []
    last = before[-1]
    if _SUCCEEDED.search(text, max(0, last.start() - 40), last.start()) and len(before) > 1:
        prior = before[-2]
        if not re.search(r"[;.]", text[prior.end():last.start()]) and text[prior.end():last.start()].count(",") <= 1:
            return [prior]
        return []
    between = text[last.end():cue.start()]
    if re.search(r"[;]|\.\s", between) or _LEFT_ROLE.search(between) or _ROLE_CUE.search(between):
        return []
    return [last]


def _role_company(text: str, s: Span, cue: re.Match, companies: list[Mention],
                  main: Mention | None) -> Mention | None:
    """Whose role it is: 'its/our/the group's CEO' -> the main company; 'CEO of X'; 'X's CEO', 'X boss';
    else the company named nearest in the sentence, else the main one."""
    if _OWN_PRONOUN.search(text, max(s.start, cue.start() - 40), cue.start()) and main is not None:
        return main
    of = re.match(r"\s+(?:of|at)\s+", text[cue.end():s.end])
    for c in companies:
        if of and c.start == cue.end() + of.end():
            return c
        if c.end <= cue.start() and re.fullmatch(r"(?:['’]s?)?\s*(?:[\w-]+\s+)?", text[c.end:cue.start()]):
            return c
    if companies:
        return min(companies, key=lambda c: abs(c.start - cue.start()))
    return main


# Someone who no longer holds the role: "former CEO", "previously the finance chief", "succeeded Y as CEO" (Y).
_FORMER = re.compile(r"\b(?:former|previously|formerly|ex-|outgoing|retired|retiring|then)\b[^,.]*$", re.I)
_SUCCEEDED = re.compile(r"\b(?:succeed(?:ed|s|ing)?|replac(?:ed|es|ing)|after|following)\s+(?:co-founder\s+|founder\s+)?$", re.I)


def _same_name(a: str, b: str) -> bool:
    """'dr lisa chen' and 'lisa chen': one name inside the other, as whole words."""
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _not_a_person(name: str, companies: set[str]) -> bool:
    words = name.split()
    return any(w.lower() in lexicon.NOT_PERSON_WORDS for w in words) or any(
        name in c or c in name for c in companies) or any(lexicon.looks_like_drug(w) for w in words)


_DIVESTED = re.compile(r"\b(?:sold(?! (?:more than |over |about |some |nearly |almost )?\d)|divest\w*|spun off|spin-?off|"
                       r"disposed of|offloaded|(?:sale|disposal) of|sell(?:ing|s)? (?:its|the|our))\b", re.I)
# A company named as owned by another, or as another's unit: "Instagram, which is owned by Meta
# Platforms", "Alphabet's Waymo unit".
_OWNED_BY_SLOT = re.compile(rf"(?P<sub>{_NAME}),?[ ]+(?:which[ ]+|that[ ]+)?(?:is|was|has been)[ ]+(?:(?:wholly|majority|"
                            rf"fully)[- ])?owned[ ]+by[ ]+(?P<owner>{_NAME})")
_OWNERSHIP_KEY = re.compile(r"owned[ ]+by|['’]s?[ ]+[^.;]{1,60}?(?:unit|division|subsidiary|arm)\b", re.I)
_UNIT_OF = re.compile(rf"(?P<owner>{_NAME})['’]s?[ ]+(?:(?:[\w-]+[ ]+){{0,2}}(?:unit|division|subsidiary|arm),?[ ]+"
                      rf"(?P<sub2>{_NAME})|(?P<sub>{_NAME})[ ]+(?:unit|division|subsidiary|arm)\b)"
                      rf"|(?P<sub3>{_NAME}),[ ]+(?P<owner3>{_NAME})['’]s?[ ]+(?:[a-z][\w-]+[ ]+){{0,2}}"
                      rf"(?:unit|division|subsidiary|arm)\b")


def _subsidiaries(text: str, s: Span, companies: list[Mention], main: Mention | None) -> list[Extraction]:
    """Subsidiaries from ownership cues and lists; none that the sentence tells was sold or spun off."""
    out: list[Extraction] = []
    for a, b in zip(companies, companies[1:]):
        between = text[a.end:b.start]
        if len(between) > 60 or vocab.entity_key(a.text) == vocab.entity_key(b.text) or \
                re.search(r"\b(?:its|our|their)\b", between, re.I):  # "its subsidiary B" is the subject's (below)
            continue
        if (share := re.search(r"(\d{1,3}(?:\.\d+)?)\s?%", between)) and float(share.group(1)) <= 50:
            continue  # "A owns a 20% equity interest in B"
        if _OWNED_BY.search(between):
            out.append(Extraction(b, vocab.HAS_SUBSIDIARY, a, s.start, s.end, 0.85, NAME))
        elif _SUBSIDIARY.search(between) and not re.search(r"subsidiaries", between, re.I):
            out.append(Extraction(a, vocab.HAS_SUBSIDIARY, b, s.start, s.end, 0.8, NAME))
    out += _subsidiary_appositions(text, s, companies, main, {e.object for e in out})
    out += _owned_slots(text, s, companies, main, {vocab.entity_key(e.object.text) for e in out})
    listed = _SUBSIDIARY_LIST.search(text, s.start, s.end)
    if listed:
        owners = [c for c in companies if c.end <= listed.start()
                  or listed.group("owner") and listed.start("owner") <= c.start < listed.end("owner")]
        owner = owners[-1] if owners else main
        for c in companies:
            if owner is not None and listed.start("list") <= c.start < listed.end("list"):
                out.append(Extraction(owner, vocab.HAS_SUBSIDIARY, c, s.start, s.end, 0.8, NAME))
    done = {vocab.entity_key(e.object.text) for e in out}
    slots = [*_OWNED_BY_SLOT.finditer(text, s.start, s.end), *_UNIT_OF.finditer(text, s.start, s.end)] \
        if _OWNERSHIP_KEY.search(text, s.start, s.end) else []  # a quick test before the slow patterns
    for m in slots:
        og = "owner3" if m.re is _UNIT_OF and m.group("owner3") else "owner"
        sg = next(g for g in ("sub", "sub2", "sub3") if g in m.re.groupindex and m.group(g))
        owner, sub = _company_name(m.group(og)), _company_name(m.group(sg))
        if owner and sub and vocab.entity_key(sub) not in done:
            o, b = text.index(owner, m.start(og)), text.index(sub, m.start(sg))
            out.append(Extraction(Mention(owner, o, o + len(owner), vocab.COMPANY), vocab.HAS_SUBSIDIARY,
                                  Mention(sub, b, b + len(sub), vocab.COMPANY), s.start, s.end, 0.8, NAME))
    return [e for e in out if not _divested(text, s, e.object)]


def _divested(text: str, s: Span, company: Mention) -> bool:
    """Whether a sale or spin-off is told of the company ('the spin-off of its former subsidiary B')."""
    return any(m.end() <= company.start and not re.search(r"[;]|,\s+(?:now|and|while)\b", text[m.end():company.start])
               for m in _DIVESTED.finditer(text, max(s.start, company.start - 80), company.start))


def _owned_slots(text: str, s: Span, companies: list[Mention], main: Mention | None, done: set) -> list[Extraction]:
    """Subsidiaries in the slot of an ownership cue ('the owner of A, B and C', 'took full control of B',
    'holds a 70% stake in B'), owned by the company named before the cue (else the main one); and a
    company placed in its owner ('B, a Recordati company', 'B, part of the A group')."""
    out: list[Extraction] = []

    def add(owner: Mention | None, start: int, end: int) -> None:
        name = _company_name(re.sub(r"\s*\([^()]*\)$", "", text[start:end]))
        if owner is None or not name or vocab.entity_key(name) in done | {vocab.entity_key(owner.text)}:
            return
        at = text.index(name, start)
        done.add(vocab.entity_key(name))
        out.append(Extraction(owner, vocab.HAS_SUBSIDIARY, Mention(name, at, at + len(name), vocab.COMPANY),
                              s.start, s.end, 0.75, NAME))

    for m in _OWNS.finditer(text, s.start, s.end):
        pct = m.group("pct") or m.group("pct2")
        if pct and float(pct) <= 50 or _NOT_DONE.search(text, s.start, m.start()):
            continue
        before = [c for c in companies if c.end <= m.start()]
        owner = before[-1] if before else main
        if (share := re.search(r"(\d{1,3}(?:\.\d+)?)\s?%", m.group())) and float(share.group(1)) <= 50:
            continue  # "owns a 20% equity interest in B"
        parts = re.finditer(r"[^,;]+?(?=,?[ ]+and[ ]+|[,;][ ]+|$)", m.group("list"))
        for part in parts:
            piece = re.sub(r"^(?:,?[ ]+and[ ]+|[,;]?[ ]+)", "", part.group())
            start = m.start("list") + part.start() + part.group().index(piece) if piece else None
            if start is not None:
                add(owner, start, start + len(piece))
    for b in companies:
        part = _PART_OF.match(text, b.end, s.end)
        if part:
            group = "owner" if part.group("owner") else "owner2"
            name = _company_name(part.group(group))
            if name:
                owner = next((c for c in companies if vocab.entity_key(c.text) == vocab.entity_key(name)),
                             Mention(name, part.start(group), part.start(group) + len(name), vocab.COMPANY))
                if vocab.entity_key(b.text) not in done and vocab.entity_key(owner.text) != vocab.entity_key(b.text):
                    done.add(vocab.entity_key(b.text))
                    out.append(Extraction(owner, vocab.HAS_SUBSIDIARY, b, s.start, s.end, 0.75, NAME))
    return out


def _subsidiary_appositions(text: str, s: Span, companies: list[Mention], main: Mention | None,
                            done: set) -> list[Extraction]:
    """A company called a subsidiary without its owner ('B, a subsidiary', 'its unit B'): the owner is
    the sentence's other company (the one before, else after), else the document's main company."""
    out: list[Extraction] = []
    for b in companies:
        if b in done or not (_SUBSIDIARY_AFTER.match(text[b.end:s.end])
                             or _SUBSIDIARY_BEFORE.search(text, max(s.start, b.start - 50), b.start)):
            continue
        others = [c for c in companies if vocab.entity_key(c.text) != vocab.entity_key(b.text)]
        before = [c for c in others if c.end <= b.start]
        owner = before[-1] if before else others[0] if others else main
        cue = _SUBSIDIARY_BEFORE.search(text, max(s.start, b.start - 50), b.start)
        if cue and re.match(r"(?i:its|our|their)\b", cue.group()) and before:
            owner = before[0]  # "X sold its unit A, leaving its aerospace subsidiary, B": X's
        if owner is not None and vocab.entity_key(owner.text) != vocab.entity_key(b.text):
            out.append(Extraction(owner, vocab.HAS_SUBSIDIARY, b, s.start, s.end, 0.8, NAME))
    return out


def _listed_company(text: str, at: int, companies: list[Mention], default: Mention) -> Mention:
    """A ticker belongs to the company named just before it ('peer Orbis Automation (NYSE: ORBA)')."""
    before = [c for c in companies if c.end <= at and at - c.end <= 60 and not re.search(r"[;]", text[c.end:at])]
    return before[-1] if before else default


def _tickers_and_headquarters(text: str, s: Span, companies: list[Mention], company: Mention,
                              main: Mention | None = None) -> list[Extraction]:
    out: list[Extraction] = []
    if not _LISTING_KEY.search(text, s.start, s.end):
        return out
    for m in _TICKER.finditer(text, s.start, s.end):
        ticker = next(g for g in m.groups() if g).rstrip(".")
        owner = company if m.group("t7") else _listed_company(text, m.start(), companies, company)  # a cover's registrant
        out.append(Extraction(owner, vocab.TICKER, Literal(ticker), s.start, s.end, 0.9, NAME))
    for c in companies:
        shares = re.match(r"(?:['’]s?\s+(?:[A-Z]\s+)?(?:shares|stock))?", text[c.end:s.end])
        code = _PAREN_TICKER.match(text, c.end + shares.end(), s.end)
        if code and not any(str(e.object) == code.group("t") for e in out):
            out.append(Extraction(c, vocab.TICKER, Literal(code.group("t")), s.start, s.end, 0.8, NAME))
    for m in _HQ.finditer(text, s.start, s.end):
        group = next(g for g in ("place", "place2", "place3") if m.group(g))
        end = min([c.start for c in companies if m.start(group) <= c.start < m.end(group)] + [m.end(group)])
        place = text[m.start(group):end].rstrip(" ,.")
        filing = re.match(r"(?i)principal executive office", m.group())  # on a filing's cover: the registrant's
        subject = (main or company) if filing else _headquartered(text, m, group, companies, company)
        if place and subject is not None:
            out.append(Extraction(subject, vocab.HEADQUARTERED_IN, Literal(place), s.start, s.end, 0.85, NAME))
    return out


def _headquartered(text: str, m: re.Match[str], group: str, companies: list[Mention], company: Mention) -> Mention | None:
    """Whose headquarters an `_HQ` match names: for 'P-based', the company it qualifies ('P-based X',
    'X, a P-based maker'), else none; otherwise the company named last before it in its sentence
    ('Y (headquartered in P)'), else the one after it ('Based in P, X employs'), else `company`."""
    after = [c for c in companies if c.start >= m.end() and re.fullmatch(r"[\s,]*(?:[a-z][\w-]*\s+){0,3}",
                                                                           text[m.end():c.start])]
    if group == "place2":
        before = [c for c in companies if c.end <= m.start()
                  and re.fullmatch(r"(?:\s*\([^()]{1,30}\))?,\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}", text[c.end:m.start()])]
        return (after or before or [None])[0]
    before = [c for c in companies if c.end <= m.start() and not re.search(r"[.;]", text[c.end:m.start()])]
    return before[-1] if before else after[0] if after else company


_SALT = re.compile(r"\s+(?:" + "|".join(lexicon.SALT_SUFFIXES) + r")\b", re.I)


def _with_salt(text: str, m: Mention, limit: int) -> Mention:
    """Extend a drug mention over a following salt form ('metformin hydrochloride')."""
    end = m.end
    while (salt := _SALT.match(text, end, limit)) is not None:
        end = salt.end()
    return m if end == m.end else Mention(text[m.start:end], m.start, end, m.type)


def _as(m: Mention, kind: URIRef) -> Mention:
    return Mention(m.text, m.start, m.end, kind)


def _dedupe(mentions: Iterable[Mention]) -> list[Mention]:
    """Drop mentions nested inside longer ones."""
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in ordered:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


# A figure that is no report: "Analysts expect revenue to reach ...", "guidance", "is forecast to".
_SCALE_NOTE = re.compile(r"\((?:[$€£¥]\s*|(?:U\.?S\.?\s*)?dollars?\s+|amounts\s+)?in\s+(?:[$€£¥]\s*)?(thousands|millions|"
                         r"billions)(?:\s+of\s+[\w. ]{1,20})?\)", re.I)
_AFTER_WORD = re.compile(r"(?<=[a-zA-Z])")  # an amount ending on a scale word ("$3.2 billion") is scaled already
_GUIDED = re.compile(r"\b(?:guid\w*|forecast\w*|expect\w*|project\w*|outlook|target\w*)\b[^.;,]{0,20}$", re.I)
_FORECAST = re.compile(r"\b(?:expect(?:s|ed|ing)?|forecasts?|forecast(?:ed|ing)|projects?|projected|projections?|"
                       r"estimates?|estimated|guidance|outlook|targets?|anticipat\w+|predict\w*|consensus|"
                       r"(?:is|are) likely to|to reach)\b", re.I)
# Between a metric and an amount that is not its value: "... operating income discussed above, compared to $1.3 bn".
_NOT_ITS_AMOUNT = re.compile(r"\b(?:compared|versus|vs\.?|up from|down from|authori[sz]ed|repurchase|buyback|"
                             r"from(?! (?:continuing )?operations| contracts with customers))\b", re.I)
# A prior-period figure after the value: "up from $6,292 million a year earlier", "compared to $1.3 billion in
# the prior year".
_PRIOR = re.compile(r"[^.;]{0,120}?\b(?:from|compared (?:with|to)|versus|vs\.?)\s+(?P<money>[^\s,;]{1,4}\s?[\d,.]+"
                    rf"\s*(?:{_SCALE})?)\s+(?:(?:a|one|the) year (?:earlier|ago|before)|in the (?:prior|previous|year-ago) "
                    r"(?:year|period|quarter)|(?:the )?(?:prior|previous|last) year|in the same (?:period|quarter) "
                    r"(?:a year ago|of the prior year|last year))", re.I)


# A prior figure with its own date: "..., compared with $3.12 billion at December 31, 2022".
# A UK report's comparative in brackets: "revenue rose to £2.14 billion in the year ended 31 March 2024 (2023: £1.98 billion)".
_PRIOR_BRACKET = re.compile(rf"[^.;()]{{0,60}}?\((?:FY\s?)?(?P<year>(?:19|20)\d{{2}})\s*:\s*(?P<money>[^\s,;()]{{1,4}}\s?[\d,.]+"
                            rf"\s*(?:{_SCALE})?)\)", re.I)
_PRIOR_DATED = re.compile(rf"[^.;]{{0,40}}?\b(?:from|compared (?:with|to)|versus|vs\.?|and)\s+(?P<money>[^\s,;]{{1,4}}\s?[\d,.]+"
                          rf"\s*(?:{_SCALE})?)\s+(?:at|as of|as at|on|in|for)\s+(?:fiscal\s+)?"
                          rf"(?:{_MONTH}\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{_MONTH},?\s+)?(?P<year>(?:19|20)\d{{2}})\b", re.I)


def _amount_after(text: str, start: int, end: int, ratio: bool = False,
                  per_share_metric: bool = True) -> tuple[Decimal, str, int] | None:
    """The value stated after a metric, with where it ends: a per-share amount, money in any currency,
    or (for a ratio such as a margin) a percentage; a growth rate before the amount ('rose 8% to $5 bn')
    is skipped, and so is an amount after a comparison ('compared to $1.3 bn')."""
    window = text[start:min(end, start + 90)]
    per_share = _PER_SHARE.search(window)
    money = _MONEY.search(window)
    if per_share and (money is None or per_share.start() <= money.start()):
        return (Decimal(per_share.group("n")), "USD/share", start + per_share.end()) if per_share_metric else None
    if money and not _NOT_ITS_AMOUNT.search(window, 0, money.start()):
        return (*_money_value(money), start + money.end())
    percent = _PERCENT.search(window)
    if percent and ratio:
        return Decimal(percent.group("n")), "%", start + percent.end()
    return None


def _money_value(money: re.Match) -> tuple[Decimal, str]:
    number = money.group("n1") or money.group("n2")
    scale = (money.group("s1") or money.group("s2") or "").lower()
    currency = (money.group("c1") or money.group("c2")).upper()
    unit = lexicon.CURRENCY_SYMBOLS.get(currency.lower(), currency)
    return Decimal(number.replace(",", "")) * scale_of(scale), "CNY" if unit == "RMB" else unit


def _prior_amount(text: str, start: int, end: int, period: str) -> tuple[tuple[Decimal, str], str] | None:
    """The same metric a year before, stated right after the value, with the earlier period."""
    dated = _PRIOR_DATED.match(text, start, end) or _PRIOR_BRACKET.match(text, start, end)
    if dated and (money := _MONEY.fullmatch(dated.group("money").strip())):
        return _money_value(money), period[:re.search(r"\d{4}", period).start()] + dated.group("year")
    m = _PRIOR.match(text, start, end)
    money = _MONEY.fullmatch(m.group("money").strip()) if m else None
    if money is None:
        return None
    year = re.search(r"\d{4}", period)
    earlier = period[:year.start()] + str(int(year.group()) - 1)
    return _money_value(money), earlier


def _period(sentence: str) -> str | None:
    m = _PERIOD.search(sentence)
    if not m:
        return None
    if m.group("h") or m.group("h2"):
        half = (m.group("h") or m.group("h2")).lower()
        return f"H{2 if half in ('second', 'h2') else 1} {m.group('hy') or m.group('hy2')}"
    if m.group("q"):
        q = m.group("q").lower()
        return f"Q{_QUARTERS.get(q, q[-1:])} {m.group('qy')}"
    year = m.group("fy") or m.group("fy2") or m.group("ye") or m.group("ye2") or m.group("y") or m.group("y2") \
        or m.group("y3")
    return f"FY{'20' + year if len(year) == 2 else year}"


def _observation(company: Mention, metric: Mention, metric_label: str, amount: tuple[Decimal, str],
                 period: str, start: int, end: int, confidence: float) -> list[Extraction]:
    """A reported metric value as an n-ary node: company -> observation -> metric, value, unit, period."""
    value, unit = amount
    key = f"obs|{vocab.entity_key(company.text)}|{metric_label}|{period}|{metric.start}|{value}"  # one per statement
    node = Node(key, vocab.METRIC_OBSERVATION, f"{company.text} {metric_label} {period}")
    metric_mention = Mention(metric.text, metric.start, metric.end, vocab.METRIC)
    decimal = Literal(format(value.normalize(), "f"), datatype=XSD.decimal)
    return [Extraction(company, vocab.REPORTED_METRIC, node, start, end, confidence, NAME),
            Extraction(node, vocab.METRIC_OF, Mention(metric_label, metric_mention.start, metric_mention.end,
                                                      vocab.METRIC), start, end, confidence, NAME),
            Extraction(node, vocab.VALUE, decimal, start, end, confidence, NAME),
            Extraction(node, vocab.UNIT, Literal(unit), start, end, confidence, NAME),
            Extraction(node, vocab.PERIOD, Literal(period), start, end, confidence, NAME)]
