"""The Hugging Face release (`stance release`, `publish`): the dataset folder, its card and the
upload. May import every other layer.
"""
