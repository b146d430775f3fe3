"""The classifier (`stance train`, `evaluate`, `predict`): cue lexicons, actor-aware features,
the scikit-learn pipeline, model files. Imports stance.core and stance.corpus.
"""
