"""`python -m clearsight`, the same as the `clearsight` command."""

from clearsight.cli import main

main()
