"""Publishing a release: the build (CSV, Parquet, DuckDB, zip, checksums), its asset names, release checks and notes."""
