"""Labels, columns, params, errors, files and tables: the small core every stage uses. Imports
nothing else of stance.
"""
