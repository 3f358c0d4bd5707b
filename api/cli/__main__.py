"""`python -m api.cli`: the `voicepipe` command, where its script is not on PATH."""

from api.cli import main

# Only when run: importing the module (the import-boundary test imports every one) must not
# start the command and exit.
if __name__ == "__main__":
    main(prog_name="voicepipe")
