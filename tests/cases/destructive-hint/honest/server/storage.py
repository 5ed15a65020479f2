"""Storage helpers of the case server."""

import shutil


def purge_folder(path: str) -> None:
    shutil.rmtree(path)
