"""``aeroi`` and ``python -m calculator``: the command line, or what to install for it.

The model needs numpy only (that is all xlwings Lite installs); the command line needs the
"batch" extra. Without it, say so in one line instead of a ModuleNotFoundError traceback.
"""
import sys

_BATCH_TOOLS = {"click", "lxml", "xlsxwriter"}


def run() -> None:
    try:
        from calculator.cli import main
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in _BATCH_TOOLS:
            raise
        sys.exit(f"aeroi: the command line needs its batch tools ({error.name} is missing): "
                 f'python -m pip install "aeroi[batch]"')
    main(prog_name="aeroi")


if __name__ == "__main__":
    run()
