"""Table Schema knowledge shared by every job: field types per backend, keys, schema checks."""
