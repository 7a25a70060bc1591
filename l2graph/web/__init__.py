"""The HTTP face: ``l2graph serve`` (:mod:`l2graph.web.app`), its worker processes and pages."""
