"""One module per rule kind: its declaration, catalogue text and relation, nothing else.

``rules.registry`` finds every kind here (any public module defining a ``RuleBase``
subclass with a ``kind``), so adding a kind is adding a module.
"""
