"""The gold dataset (`stance build`): labels resolved per candidate, split by document. Imports
stance.core, stance.corpus and the annotation log and review (never a user interface).
"""
