"""What several sources share: column finding (columns), the MHCLG revenue forms (mhclg), the ONS
lookups (lookup) and the ASC-FR files (ascfr). Not sources themselves: a source is a module of
ingest.sources named by its catalogue id."""
