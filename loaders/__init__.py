"""Source files to typed records with provenance, streamed. No storage, no HTTP."""
