"""The published face: the static bilingual site, its charts (Vega-Lite views) and DCAT-AP metadata."""
