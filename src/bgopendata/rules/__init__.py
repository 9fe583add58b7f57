"""Consistency rules: declared as data, one module per kind, interpreted here.

- ``base``: what every kind is made of (shared fields, reference types, results);
- ``kinds/``: one module per kind (declaration, catalogue text, relation);
- ``registry``: the kinds found in ``kinds/``, and the one parser of declarations;
- ``catalogue``: the kinds' and the structural codes' titles and descriptions;
- ``figures``: the package's figures, located and turned into precision intervals;
- ``bind``: a figure rule's references bound to figures and rows (missing ones are errors);
- ``decimal_bounds``: the group kinds' exact interval bounds as ibis expressions;
- ``coverage``: which figures no rule relates to another.
"""
