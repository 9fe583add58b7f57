"""Getting at the data: SQL over a package or release (query), downloading a release, printing rows."""
