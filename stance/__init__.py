"""stance: an open dataset of actors' stances toward public accusations, and its toolkit.

The subpackages follow the pipeline (dvc.yaml), and each imports only from those before it:

    core        schema, params, errors, files, tables, union-find   (imports nothing of ours)
    corpus      ingest: readers, cleaning, sentences, near-duplicates, actor and claim registries
    annotation  annotate, adjudicate, agreement: the event log, queue, session, UI, interop
    dataset     build: resolve labels into the gold dataset and split it by document
    model       train, evaluate, predict: cues, features, the pipeline, model files
    release     release, publish: the Hugging Face dataset folder and its card

cli.py sits on top as thin glue; tests/test_layout.py checks the direction.
"""

__version__ = "0.1.0"
