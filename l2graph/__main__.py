from l2graph.program import run

run()
