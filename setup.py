"""The compiled part of Kassenwart: the camt reader's walk (banking/formats/_camt_walk.pyx),
written in Cython against lxml's public C API. Everything else is in pyproject.toml."""

from Cython.Build import cythonize
from lxml import get_include
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension(
                "kassenwart.banking.formats._camt_walk",
                ["src/kassenwart/banking/formats/_camt_walk.pyx"],
                include_dirs=get_include(),  # lxml's .pxd files and headers (libxml2's among them)
            )
        ],
        language_level=3,
    )
)
