"""Built-in domain vocabulary: metric names, drug and condition word forms, salt suffixes, synonyms.

Kept as data (module-level constants) so extractors and resolution share one source.
"""

from __future__ import annotations


#: Financial metrics: canonical label -> surface forms (lower case).
METRICS: dict[str, tuple[str, ...]] = {
    "revenue": ("revenue", "revenues", "total revenue", "total revenues", "net revenue", "net revenues",
                "net sales", "total net sales", "sales", "turnover"),
    "net income": ("net income", "net earnings", "net profit", "net income attributable", "profit"),
    "operating income": ("operating income", "operating profit", "income from operations"),
    "gross profit": ("gross profit", "gross margin"),
    "operating margin": ("operating margin",),
    "net margin": ("net margin", "net profit margin", "profit margin"),
    "total assets": ("total assets", "balance-sheet total", "balance sheet total"),
    "total liabilities": ("total liabilities",),
    "cash and cash equivalents": ("cash and cash equivalents",),
    "capital expenditure": ("capital expenditure", "capital expenditures", "capex",
                            "purchases of property, plant and equipment", "purchases of property and equipment",
                            "payments for property, plant and equipment", "additions to property and equipment",
                            "purchases of property, plant and equipment (pp&e)", "capital spending"),
    "operating cash flow": ("net cash provided by operating activities", "cash from operations",
                            "operating cash flow", "net cash from operating activities",
                            "cash provided by operations"),
    "free cash flow": ("free cash flow",),
    "diluted earnings per share": ("diluted earnings per share", "diluted eps", "earnings per share",
                                   "eps"),
    "research and development expense": ("research and development", "research and development expense",
                                         "research and development expenses", "r&d expense", "r&d"),
    "cost of revenue": ("cost of revenue", "cost of revenues", "cost of sales", "cost of goods sold", "cogs"),
    "total debt": ("total debt", "long-term debt"),
    "shareholders' equity": ("total shareholders' equity", "shareholders' equity", "stockholders' equity",
                             "total stockholders' equity", "total equity"),
    "inventory": ("inventories", "inventory"),
    "accounts receivable": ("accounts receivable", "accounts receivable, net"),
    "depreciation and amortization": ("depreciation and amortization",),
    "dividends paid": ("dividends paid", "cash dividends paid", "dividends"),
    "accounts payable": ("accounts payable",),
    "total current assets": ("total current assets",),
    "total current liabilities": ("total current liabilities",),
}


def _with_statement_concepts(metrics: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The metrics above plus every statement concept of ingestion/mappings/concepts.yaml, by its
    name and synonyms ("net PP&E", "PPNE"), so sentences, questions and statement rows share names."""
    from .concepts import concepts

    out = dict(metrics)
    for c in concepts():
        out[c.name] = tuple(dict.fromkeys((*out.get(c.name, ()), c.name, *c.synonyms)))
    return out


METRICS = _with_statement_concepts(METRICS)

#: Word endings typical of drug names (INN stems).
DRUG_SUFFIXES = (
    "mab", "nib", "pril", "sartan", "olol", "statin", "azole", "cycline", "mycin", "micin", "cillin", "floxacin",
    "vir", "dipine", "zepam", "zolam", "oxetine", "triptyline", "pramine", "profen", "coxib", "parin", "gliptin",
    "glitazone", "formin", "semide", "thiazide", "tidine", "prazole", "setron", "triptan", "platin", "rubicin",
    "taxel", "tecan", "mustine", "sone", "olone", "asone", "azepine", "peridol", "apine", "idone", "barbital",
    "caine", "dronate", "fibrate", "lukast", "terol", "tropium", "afil", "xaban", "gatran", "limus", "poetin",
    "grastim", "tinib", "ciclib", "rafenib", "zumab", "ximab", "umab", "cept", "amide", "phylline", "conazole",
    "fungin", "quine", "amivir", "buvir", "navir", "oxacin", "penem", "cef", "sulfa", "methasone", "nisolone",
    "lamide", "tretin", "dopa", "ergoline", "amine", "cortisone", "sterone", "estradiol", "gestrel", "fentanil",
    "morphone", "codone", "azosin", "osin", "trexate", "uracil", "arabine", "mide", "ipine",
    "gliflozin", "glutide", "patide", "enatide", "parib", "lisib", "rasib", "degib", "zomib", "grelor", "fiban",
    "teplase", "renone", "vaptan", "milast", "steride", "trozole", "lutamide", "tinib", "zosin", "sertib",
    # further WHO INN stems
    "bradine", "sentan", "racetam", "pitant", "nidazole", "relix", "tegravir", "previr", "asvir", "kinra",
    "arone", "sporin", "imod", "alol", "dilol", "pamil", "tiazem", "grel", "fenac", "oxicam", "gabalin", "trigine",
    "giline", "pexole", "stigmine", "calcet", "trexed", "citabine", "relin", "leukin", "sonide", "kiren", "glinide",
    "etanide", "oxifene", "faxine", "traline", "alopram", "curonium", "curium", "piprazole", "tropin", "bendazole",
    "ectin", "bactam", "fovir", "ciclovir", "tizide", "farin", "xetine", "ronate", "dralazine",
)

#: Units a dose is written in ("500 mg", "2 units"), as a regular-expression alternation.
DOSE_UNITS = r"mg|g|mcg|µg|ug|ml|mL|units?|IU"

#: Common drugs whose names the suffixes miss (lower case).
DRUGS = frozenset("""
acetaminophen paracetamol aspirin ibuprofen naproxen diclofenac indomethacin warfarin heparin clopidogrel
metformin insulin glipizide glyburide lithium digoxin amiodarone phenytoin carbamazepine valproate
valproic acid lamotrigine levetiracetam gabapentin pregabalin topiramate clozapine olanzapine risperidone
haloperidol quetiapine fluoxetine sertraline paroxetine citalopram venlafaxine bupropion mirtazapine
trazodone amitriptyline nortriptyline imipramine allopurinol colchicine methotrexate cyclophosphamide
cisplatin carboplatin doxorubicin vincristine bleomycin tamoxifen interferon rituximab infliximab
etanercept adalimumab prednisone prednisolone dexamethasone hydrocortisone cyclosporine tacrolimus
azathioprine mycophenolate penicillin amoxicillin ampicillin vancomycin gentamicin amikacin tobramycin
streptomycin ciprofloxacin levofloxacin azithromycin erythromycin clarithromycin doxycycline minocycline
tetracycline rifampicin rifampin isoniazid ethambutol pyrazinamide trimethoprim sulfamethoxazole
co-trimoxazole nitrofurantoin metronidazole fluconazole ketoconazole amphotericin acyclovir ganciclovir
zidovudine lamivudine nevirapine efavirenz ribavirin chloroquine hydroxychloroquine quinine mefloquine
propranolol atenolol metoprolol labetalol amlodipine nifedipine verapamil diltiazem captopril enalapril
lisinopril ramipril losartan valsartan furosemide hydrochlorothiazide spironolactone simvastatin
atorvastatin rosuvastatin pravastatin omeprazole ranitidine cimetidine famotidine ondansetron
metoclopramide levodopa carbidopa bromocriptine morphine codeine tramadol oxycodone fentanyl methadone
naloxone ketamine propofol midazolam diazepam lorazepam alprazolam clonazepam zolpidem sumatriptan
theophylline salbutamol albuterol montelukast estrogen progesterone testosterone levothyroxine
propylthiouracil methimazole thalidomide lenalidomide imatinib sorafenib sunitinib bevacizumab
trastuzumab cetuximab nivolumab pembrolizumab ipilimumab sildenafil finasteride tamsulosin oxybutynin
donepezil memantine clonidine minoxidil hydralazine nitroglycerin dobutamine dopamine epinephrine
adrenaline norepinephrine vasopressin octreotide desmopressin oxytocin misoprostol mifepristone
semaglutide liraglutide empagliflozin dapagliflozin sitagliptin pioglitazone rosiglitazone apixaban
rivaroxaban dabigatran alteplase streptokinase enoxaparin fondaparinux bortezomib capecitabine
fluorouracil 5-fluorouracil gemcitabine paclitaxel docetaxel irinotecan oxaliplatin etoposide
cytarabine mercaptopurine busulfan melphalan chlorambucil ifosfamide dacarbazine temozolomide
interleukin-2 bcg isotretinoin tretinoin acitretin dapsone sulfasalazine mesalamine leflunomide
penicillamine auranofin isosorbide minocycline terbinafine griseofulvin clindamycin linezolid daptomycin
colistin polymyxin cefazolin ceftriaxone cefotaxime ceftazidime cefuroxime cephalexin imipenem
meropenem piperacillin tazobactam aztreonam chloramphenicol baclofen tizanidine dantrolene
""".split())

#: Salt and ester forms dropped when naming a drug entity ("metformin hydrochloride" = "metformin").
SALT_SUFFIXES = ("hydrochloride", "hcl", "sodium", "potassium", "calcium", "magnesium", "sulfate", "sulphate",
                 "maleate", "mesylate", "besylate", "tartrate", "citrate", "acetate", "phosphate",
                 "succinate", "fumarate", "hyclate", "monohydrate", "dihydrate", "bromide", "chloride",
                 "mononitrate", "dinitrate", "carbonate", "lactate", "gluconate", "valerate", "propionate")

#: Multi-word products and herbals recognised as drugs (interaction partners).
DRUG_PHRASES = ("st john's wort", "st. john's wort", "grapefruit juice", "oral contraceptives", "oral contraceptive")

#: Different names of the same drug: variant -> canonical.
DRUG_SYNONYMS = {
    "paracetamol": "acetaminophen", "adrenaline": "epinephrine", "noradrenaline": "norepinephrine",
    "salbutamol": "albuterol", "rifampin": "rifampicin", "co-trimoxazole": "trimethoprim-sulfamethoxazole",
    "5-fluorouracil": "fluorouracil", "5-fu": "fluorouracil", "valproic acid": "valproate",
    "glucophage": "metformin", "tylenol": "acetaminophen", "advil": "ibuprofen", "lipitor": "atorvastatin",
    "coumadin": "warfarin", "zocor": "simvastatin", "prozac": "fluoxetine", "zoloft": "sertraline",
}

#: Word endings and head nouns typical of conditions and adverse effects.
CONDITION_SUFFIXES = ("itis", "osis", "emia", "aemia", "pathy", "algia", "penia", "oma", "iasis", "plegia",
                      "rrhea", "rrhoea", "uria", "ia", "ysis", "cytosis", "edema", "oedema", "esis", "ism", "toxicity")
CONDITION_HEADS = frozenset("""
syndrome failure toxicity reaction reactions rash necrosis injury insufficiency disease disorder upset problems
harm bleed
infection hemorrhage haemorrhage bleeding arrest fibrillation tachycardia bradycardia hypotension
hypertension seizure seizures convulsions fever pain vomiting nausea diarrhea diarrhoea dizziness
headache fatigue erythema urticaria angioedema anaphylaxis eruption ulcer ulceration dermatitis
pneumonitis hepatitis pancreatitis nephritis myopathy neuropathy psychosis delirium depression mania
agitation confusion coma thrombosis embolism infarction stroke impairment dysfunction damage lesions
acidosis alkalosis hypoglycemia hyperglycemia hypokalemia hyperkalemia hyponatremia hypercalcemia
ototoxicity nephrotoxicity hepatotoxicity cardiotoxicity neurotoxicity cytopenia neutropenia
thrombocytopenia agranulocytosis anemia leukopenia pancytopenia alopecia gynecomastia
loss diabetes asthma cancer carcinoma lymphoma leukemia arthritis gout epilepsy migraine obesity
hypersensitivity erection spasm neoplasm tumor tumour allergy sarcoma anaphylaxis dyskinesia tremor
hallucinations hallucination eruptions pruritus jaundice cholestasis hepatotoxicity myoclonus rigidity
defect defects malformation malformations anomaly anomalies prolongation
attack attacks blindness deafness tinnitus palpitations syncope collapse shock edema oedema swelling vasculitis
dyspnea dyspnoea cough constipation insomnia somnolence drowsiness ileus keratitis conjunctivitis
zoster shingles covid-19 covid sepsis flare flares pointes colitis psoriasis eczema acne angina
neuralgia lupus glaucoma osteoporosis gastroparesis
""".split())

#: Words with a condition-like ending that name no condition ("analysis", "diagnosis", "media").
NOT_CONDITIONS = frozenset("""
analysis analyses hypothesis synthesis emphasis basis thesis diagnosis prognosis media criteria prosthesis
dialysis paralysis mechanism metabolism organism journalism ism criterion placebo
""".split())

#: Conditions worth recognising in sample documents and questions.
CONDITIONS = frozenset("""
type 2 diabetes|type 1 diabetes|diabetes|hypertension|high blood pressure|heart failure|atrial fibrillation
|asthma|copd|chronic obstructive pulmonary disease|pneumonia|rheumatoid arthritis|osteoarthritis|gout
|depression|schizophrenia|bipolar disorder|epilepsy|migraine|hypercholesterolemia|high cholesterol
|angina|myocardial infarction|stroke|deep vein thrombosis|pulmonary embolism|hypothyroidism
|hyperthyroidism|psoriasis|crohn's disease|ulcerative colitis|hiv infection|hepatitis c|tuberculosis
|malaria|breast cancer|lung cancer|chronic kidney disease|renal impairment|severe renal impairment
|liver disease|pregnancy|peptic ulcer|gastroesophageal reflux disease|pain|fever|inflammation
|lactic acidosis|diarrhoea|diarrhea|nausea|vomiting|hypoglycaemia|hypoglycemia|bleeding|myopathy
|rhabdomyolysis|liver injury|angioedema|dry cough|cough|dizziness|headache|weight gain|rash
|hyperkalemia|hyperkalaemia|muscle pain|stomach upset|drowsiness|insomnia|tendon rupture
|qt prolongation|penicillin allergy|serotonin syndrome|kidney damage|anaemia|anemia|constipation|fatigue
|av block|heart block|atrioventricular block|bundle branch block|obesity|pregnant|breastfeeding|breast-feeding
""".replace("\n", "").split("|"))



#: Words that extend a condition mention to the right ("type 2 diabetes mellitus", "myasthenia gravis").
CONDITION_TAILS = frozenset("mellitus gravis insipidus erythematosus multiforme pectoris media externa".split())

#: Condition abbreviations of clinical notes, recognised only as written in capitals ("start metformin
#: for T2DM"); ambiguous ones ("PE", "MS", "ALL", currency codes such as "CHF" and "CAD") are left out.
CONDITION_ABBREVIATIONS = frozenset("""
T2DM T1DM DM2 HTN AF AFib CAP HAP COPD HFrEF HFpEF CKD ESRD GERD UTI DVT VTE ACS MDD GAD ADHD OSA
HIV HCV HBV NSCLC SCLC CLL AML CML BPH PAD IBD IBS SLE NASH MASH PCOS AOM RA OA UC TB AKI ARDS
""".split())

#: Head words of drug classes ("a GLP-1 receptor agonist", "an anticoagulant"); plurals are also accepted.
CLASS_HEADS = frozenset("""
inhibitor blocker agonist antagonist antibiotic antibody statin biguanide sulfonylurea diuretic analgesic
anticoagulant antiplatelet antidepressant antipsychotic anticonvulsant antiepileptic antihistamine antiviral
antifungal antimalarial antiretroviral antiarrhythmic antiemetic antacid bronchodilator vasodilator
corticosteroid glucocorticoid steroid hormone opioid benzodiazepine barbiturate bisphosphonate fluoroquinolone
macrolide cephalosporin penicillin tetracycline aminoglycoside carbapenem anthracycline taxane retinoid
immunosuppressant anesthetic anaesthetic sedative hypnotic stimulant laxative modulator analog analogue
mimetic nsaid ssri snri thiazolidinedione nitrate anthelmintic antispasmodic decongestant expectorant
antitussive vaccine chemotherapy antimetabolite antineoplastic thrombolytic anxiolytic mucolytic
doac noac dmard ppi arb maoi tca lmwh oxazolidinone antibacterial antimicrobial anti-infective
""".split())

#: Class abbreviations written in brackets after a drug: "rivaroxaban (DOAC)".
CLASS_ABBREVIATIONS = frozenset("DOAC NOAC NSAID SSRI SNRI PPI ARB DMARD MAOI TCA LMWH ACEi SGLT2i DPP-4i CCB ARNI "
                                "ICS LABA LAMA".split())

#: Generic nouns after a class name, dropped from it ("an anticoagulant medicine" -> "anticoagulant").
CLASS_GENERIC = frozenset("medicine medicines medication medications drug drugs agent agents".split())

#: Nouns that make their subject a company ("X is a Danish drugmaker", "X, the chipmaker,").
COMPANY_NOUNS = frozenset("""
company companies firm group bank drugmaker carmaker automaker chipmaker maker manufacturer producer brewer
retailer insurer conglomerate corporation lender airline operator provider biotech pharma giant multinational
supplier developer utility miner shipper business enterprise holding conglomerate telecom owner parent
""".split())

#: Last words that make a capitalised name a company ("Kestrel Analytics", "Halvorsen Marine", "Sanwa Kogyo").
COMPANY_NAME_WORDS = frozenset("""
Analytics Logistics Marine Industries Industrier Therapeutics Pharmaceuticals Pharma Farmaceutici Robotics
Instruments Software Biosciences Biotech Biotherapeutics Technologies Technology Systems Energy Motors Airlines
Airways Bank Bancorp Capital Partners Foods Holdings Labs Laboratories Networks Semiconductor Semiconductors
Electronics Automation Geospatial Freight Shipping Solutions Services Communications Telecom Mining Resources
Petroleum Chemicals Steel Insurance Healthcare Diagnostics Kogyo Seiyaku Shoji Logistik Gruppen
""".split())

#: Words that are never part of a person's name (role titles, organisation words, pledges and totals).
NOT_PERSON_WORDS = frozenset("""
chief executive officer financial operating president director chairman chair board company group total
inc corp ltd plc llc pledge inclusion committee council annual report fiscal year quarter revenue sales
net income the its our their this that shares stock nyse nasdaq
""".split())

#: Currencies: symbols and written names -> ISO code; the codes themselves are also accepted.
CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "c$": "CAD", "a$": "AUD",
                    "kr": "DKK", "chf": "CHF", "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR",
                    "pounds": "GBP", "yen": "JPY", "kroner": "DKK", "kronor": "SEK", "francs": "CHF", "₹": "INR",
                    "rs": "INR", "rs.": "INR", "rupees": "INR", "r$": "BRL", "s$": "SGD", "hk$": "HKD", "nz$": "NZD"}
CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "DKK", "SEK", "NOK", "CHF", "CAD", "AUD", "CNY", "RMB", "INR",
                  "KRW", "HKD", "SGD", "BRL", "MXN", "ZAR", "NZD", "PLN", "ISK")

#: Stock exchanges written before a ticker ("(NYSE: NVO)").
EXCHANGES = ("NYSE American", "NYSE", "NASDAQ", "Nasdaq", "Xetra", "LSE", "LON", "OSE", "TSE", "TYO", "TSX", "ASX", "SIX",
             "SWX", "XETRA", "ETR", "FWB", "FRA", "Euronext", "EPA", "AMS", "CPH", "STO", "HEL", "OMX", "HKEX",
             "HKG", "NSE", "BSE", "KRX", "SGX", "BIT", "BME", "OTC", "AMEX", "B3", "KOSPI", "KOSDAQ", "JSE", "TASE",
             "WSE", "IDX", "BMV", "SSE", "SZSE", "TWSE", "NZX", "OTCQX")


def looks_like_drug(word: str) -> bool:
    w = word.lower()
    return w in DRUGS or w in DRUG_SYNONYMS or (len(w) > 5 and (w.endswith(DRUG_SUFFIXES) or w.startswith("cef")))


def looks_like_condition_head(word: str) -> bool:
    w = word.lower()
    singular = w[:-1] if w.endswith("s") and not w.endswith(("ss", "sis", "us")) else w
    if w in NOT_CONDITIONS or singular in NOT_CONDITIONS:
        return False
    return (w in CONDITION_HEADS or singular in CONDITION_HEADS
            or (len(w) > 5 and w.endswith(CONDITION_SUFFIXES) and not looks_like_drug(w)))
