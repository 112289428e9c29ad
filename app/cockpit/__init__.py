"""The banner cockpit (旗统筹驾驶舱) and the daily bulletin: aggregate queries, the
pre-aggregated counts that keep them fast, and chart builders."""
