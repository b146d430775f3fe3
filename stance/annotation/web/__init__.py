"""`stance serve`: the web front end over the annotation library (the same queue, session and
event log as the terminal UI). Starlette, uvicorn and Jinja2 are imported only here, never by
`stance --help`. Imports stance.core, stance.corpus and stance.annotation.
"""
