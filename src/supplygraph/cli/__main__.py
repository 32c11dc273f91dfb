"""``python -m supplygraph.cli``: the same app as the ``supplygraph`` script."""

from supplygraph.cli import app

app()
