from stance.cli import app
from stance.core.orphan import watch_parent

# A retrain child of a labelling UI ends with the UI, even one killed with SIGKILL.
watch_parent()
app(prog_name="stance")
