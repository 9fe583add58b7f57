"""Validation: the stages a package goes through (lexical CSV checks, structure, rules) and their one report."""
