"""From what a user typed to known nodes: normalization, name scoring, matching, search and
entity references."""
