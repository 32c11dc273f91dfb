"""The engines that answer questions over a store view: reach, resolve, verdicts, ownership,
regimes, neighbourhoods, and the bulk engine."""
