from stance.cli import app

app(prog_name="stance")
