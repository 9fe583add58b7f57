"""Consistency rules: declared as data in each Table Schema's ``"rules"`` array, interpreted here.

- ``catalogue``: the rule kinds (code, title, description, message template), from JSON;
- ``declarations``: pydantic models that check a rule's shape;
- ``figures``: the package's figures, located and turned into precision intervals;
- ``resolve``: a rule's references bound to figures and rows (missing ones are errors);
- ``kinds``: one function per kind deciding whether the relation can hold.
"""
