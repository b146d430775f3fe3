"""Human labels (`stance annotate`, `adjudicate`, `agreement`, `export`/`import`): the
append-only event log, queues, the session logic, the terminal UI, review and interchange
formats. Imports stance.core and stance.corpus.
"""
