"""assistant: answers questions from the graph and the documents, with citations and an audit trail; hosts the CLI."""
