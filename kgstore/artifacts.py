"""What `kgassist finetune` writes and ingestion and the assistant load: every trained model's
folder holds `SPEC_FILE`, a JSON spec whose `kind` says which model it is."""

SPEC_FILE = "kgassist.json"
RELATION_TAGGER = "kgassist-relation-tagger"  # finetune.relations writes it, ingestion's `learned` extractor reads it
VERDICT = "kgassist-verdict"  # finetune.verdict writes and reads it
