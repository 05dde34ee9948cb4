"""Files: graphs to and from YAML, and PNG images.

It owns the graph file format (reading with YAML's safe loader only, clear errors with a file and
line, atomic saves) and the small PNG writer. It may import the document and the engine; it is the
only place in mlgarden that imports `yaml`.
"""
