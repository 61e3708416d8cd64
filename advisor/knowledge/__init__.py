"""knowledge: what advisor knows, as typed data (model.py) and how knowledge/*.yaml turns
into it (build.py, pure: parsed documents in, Knowledge or KnowledgeError out)."""

from advisor.knowledge.model import Example, Knowledge, KnowledgeError

__all__ = ["Example", "Knowledge", "KnowledgeError"]
