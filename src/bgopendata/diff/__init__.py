"""Figure-by-figure comparison of two versions of the package, and its renderings."""
