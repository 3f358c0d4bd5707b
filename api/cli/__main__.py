"""`python -m api.cli`: the `voicepipe` command, where its script is not on PATH."""

from api.cli import main

main(prog_name="voicepipe")
