"""`python -m api.cli`: the `voicepipe` command, where its script is not on PATH."""

from api.cli import main

# Only when run: importing the module (as the import-boundaries test does with every module)
# must not start the command and exit.
if __name__ == "__main__":
    main(prog_name="voicepipe")
