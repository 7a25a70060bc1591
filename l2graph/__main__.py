from l2graph.cli import run

run()
