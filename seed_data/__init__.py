"""Curated, cited seed facts (YAML); see README.md in this folder."""
