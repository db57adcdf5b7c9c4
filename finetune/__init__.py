"""finetune: knowledge-graph embeddings and their injection into the LLM as soft prefix tokens."""
