"""Articles in, candidates out (`stance ingest`): readers, cleaning, segmentation,
near-duplicate groups, and the actor and claim registries. Imports stance.core only.
"""
